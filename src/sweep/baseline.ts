import type {Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import {modelDirOf, reevaluationLabel} from '../eval/reevaluate.js'
import {resolveEvaluation} from '../gate/reference.js'
import type {Db} from '../store/db.js'
import {latestEvaluationByLabel} from '../store/evaluations.js'
import {latestPromotion} from '../store/promotions.js'

/** What the sweep's candidates are gated against. */
export type SweepBaseline =
  | {kind: 'base'; note: string | null}
  | {kind: 'evaluation'; id: number; label: string}
  | {kind: 'reevaluate'; modelDir: string; label: string; from: string}

/**
 * `gate.baseline`: `base` (this run's base model), or any reference `lrgate check` takes —
 * typically `promoted` for weekly retrains. A baseline evaluated on another version of the eval
 * dataset is re-evaluated on this one from its kept model directory, never compared across data.
 */
export function sweepBaseline(db: Db, ref: string, evalSet: Dataset): SweepBaseline {
  if (ref === 'base') return {kind: 'base', note: null}
  if (ref === 'promoted' && latestPromotion(db) === undefined) {
    return {kind: 'base', note: 'nothing is promoted yet, so candidates are gated against the base model'}
  }
  const row = resolveEvaluation(db, ref, 'gate.baseline')
  if (row.datasetHash === evalSet.hash) return {kind: 'evaluation', id: row.id, label: row.label}
  const label = reevaluationLabel(row.label, evalSet.ref)
  const done = latestEvaluationByLabel(db, label)
  if (done && done.datasetHash === evalSet.hash) return {kind: 'evaluation', id: done.id, label}
  const modelDir = modelDirOf(db, row)
  if (modelDir === null) {
    throw new InputError(
      `gate.baseline "${ref}" (evaluation #${row.id}) was scored on ${row.datasetRef}, not ${evalSet.ref}, and has no model directory to re-evaluate; evaluate it on ${evalSet.ref} first.`,
    )
  }
  return {kind: 'reevaluate', modelDir, label, from: `${ref} (#${row.id}, scored on ${row.datasetRef})`}
}
