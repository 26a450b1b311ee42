import type {CohortRole} from '../datasets/types.js'
import {InputError} from '../errors.js'
import {baselineOnDataset} from '../gate/baseline-policy.js'
import {resolveEvaluation} from '../gate/reference.js'
import type {Store} from '../store/db.js'
import {getStoredDataset} from '../store/datasets.js'
import {getEvaluation} from '../store/evaluations.js'
import {seedMeanEvaluation} from '../store/merge.js'
import {latestPromotion} from '../store/promotions.js'
import {getRun} from '../store/runs-read.js'
import {runConfig} from '../store/runs.js'
import type {SweepPlan} from './plan.js'
import {type CandidateSummary, gateCandidates, recommend} from './verdicts.js'

/**
 * Gates every candidate of a merged run again, in the destination database, against the baseline
 * its plan names (gate.baseline): `base` → the run's base evaluation; `promoted` (or any other
 * reference) → that evaluation in the destination, used as stored when it was scored on the run's
 * eval data (or re-evaluated on it before), else an InputError naming the command that re-evaluates
 * it; with nothing promoted, the base. The shards' own gates stay as history. Returns the
 * candidates as the sweep summary shows them and the recommendation over the whole grid. Writes
 * gates and verdicts: call inside the merge's transaction.
 */
export function regateMergedRun(store: Store, runId: number): {candidates: CandidateSummary[]; recommended: CandidateSummary | null; baseline: string} {
  const run = getRun(store, runId)!
  const plan = runConfig(store, runId)!.config as SweepPlan
  const base = getEvaluation(store, run.baseEvaluationId!)!
  const dataset = getStoredDataset(store, base.datasetId)!
  const ref = plan.gate.baseline
  let baseline = base
  if (ref !== 'base' && !(ref === 'promoted' && latestPromotion(store) === undefined)) {
    const row = resolveEvaluation(store, ref, 'gate.baseline')
    const policy = baselineOnDataset(store, row, {datasetHash: base.datasetHash, datasetRef: base.datasetRef})
    if (policy.kind !== 'stored') {
      throw new InputError(
        `gate.baseline "${ref}" of sweep "${run.name}" is evaluation #${row.id} (${row.label}), scored on ${row.datasetRef}, not ${base.datasetRef}; score it on ${base.datasetRef} in the destination first (lrgate eval --model <its model> --dataset ${base.datasetRef} --label ${row.label}@${base.datasetRef}), then merge again. Nothing was merged.`,
      )
    }
    baseline = policy.row
  }
  const roles = new Map<string, CohortRole>(Object.entries(dataset.cohorts).map(([k, v]) => [k, v.role]))
  const settings = {rules: plan.gate.rules, confidence: plan.gate.confidence, resamples: plan.gate.resamples, seed: plan.seed, objective: plan.objective}
  const seedMean = (plan.seeds ?? 1) > 1
    ? (ids: readonly number[]) => {
        const id = seedMeanEvaluation(store, runId, ids)
        if (id === undefined) throw new InputError(`sweep "${run.name}": a configuration's seeds ended up in different shards, so no shard stored their seed mean; shard with the same --seeds on every shard. Nothing was merged.`)
        return id
      }
    : undefined
  const candidates = gateCandidates(store, runId, baseline.id, settings, roles, seedMean)
  return {candidates, recommended: recommend(candidates), baseline: baseline.label}
}
