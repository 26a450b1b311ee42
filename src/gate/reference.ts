import {InputError} from '../errors.js'
import {type EvaluationRow, getEvaluation, latestEvaluationByLabel, listEvaluations, recentLabels} from '../store/evaluations.js'
import type {Store} from '../store/db.js'
import {latestPromotion} from '../store/promotions.js'
import {getCandidate, getRun, latestSweepRun, type RunRow, runCandidates} from '../store/runs-read.js'
import {hint} from '../util/invocation.js'

/**
 * Resolves what `--candidate`, `--baseline` and `baseline promote` accept:
 * - `42`: evaluation 42
 * - `promoted`: the latest promotion's evaluation
 * - `base` / `recommended`: the latest sweep run's base evaluation / recommended candidate's evaluation
 * - `run:<id>:<base|recommended|candidate label>`, or `run:<…>` for the latest sweep run
 * - anything else: the latest evaluation with that label
 * Unknown references are an InputError saying what exists.
 *
 * @example resolveEvaluation(db, 'promoted')
 */
export function resolveEvaluation(db: Store, ref: string, role = 'evaluation'): EvaluationRow {
  const trimmed = ref.trim()
  if (/^\d+$/.test(trimmed)) {
    const found = getEvaluation(db, Number(trimmed))
    if (found === undefined) throw new InputError(`${role} "${ref}": there is no evaluation #${trimmed}; ${whatExists(db)}.`)
    return found
  }
  if (trimmed === 'promoted') {
    const promotion = latestPromotion(db)
    if (promotion === undefined) {
      throw new InputError(`${role} "promoted": nothing has been promoted yet; run "${hint('baseline promote <evaluation>')}" first; ${whatExists(db)}.`)
    }
    return getEvaluation(db, promotion.evaluationId)!
  }
  if (trimmed.startsWith('run:')) {
    const parts = trimmed.slice(4).split(':')
    if (parts.length === 2 && /^\d+$/.test(parts[0])) {
      const run = getRun(db, Number(parts[0]))
      if (run === undefined) throw new InputError(`${role} "${ref}": there is no run #${parts[0]}; see "${hint('runs list')}".`)
      return fromRun(db, run, parts[1], ref, role)
    }
    const run = latestSweepRun(db)
    if (run === undefined) throw new InputError(`${role} "${ref}": no sweep run is stored yet; ${whatExists(db)}.`)
    return fromRun(db, run, trimmed.slice(4), ref, role)
  }
  if (trimmed === 'base' || trimmed === 'recommended') {
    const run = latestSweepRun(db)
    if (run !== undefined) return fromRun(db, run, trimmed, ref, role)
  }
  const byLabel = latestEvaluationByLabel(db, trimmed)
  if (byLabel === undefined) {
    const hint = trimmed === 'base' || trimmed === 'recommended' ? 'no sweep run is stored yet and no evaluation has that label' : 'no evaluation has that label'
    throw new InputError(`${role} "${ref}": ${hint}; ${whatExists(db)}.`)
  }
  return byLabel
}

function fromRun(db: Store, run: RunRow, what: string, ref: string, role: string): EvaluationRow {
  if (what === 'base') {
    if (run.baseEvaluationId === null) throw new InputError(`${role} "${ref}": run #${run.id} has no base evaluation (status ${run.status}).`)
    return getEvaluation(db, run.baseEvaluationId)!
  }
  const candidate =
    what === 'recommended'
      ? run.recommendedCandidateId === null
        ? undefined
        : getCandidate(db, run.recommendedCandidateId)
      : runCandidates(db, run.id).find((c) => c.label === what)
  if (candidate === undefined) {
    if (what === 'recommended') throw new InputError(`${role} "${ref}": run #${run.id} recommended no candidate (status ${run.status}); see "${hint(`runs show ${run.id}`)}".`)
    const labels = runCandidates(db, run.id).map((c) => c.label)
    throw new InputError(`${role} "${ref}": run #${run.id} has no candidate "${what}"; it has ${labels.length > 0 ? labels.join(', ') : 'no candidates'} (and base, recommended).`)
  }
  if (candidate.evaluationId === null) throw new InputError(`${role} "${ref}": candidate "${candidate.label}" of run #${run.id} has no evaluation (status ${candidate.status}).`)
  return getEvaluation(db, candidate.evaluationId)!
}

/** One clause for error messages: the recent labels and the newest evaluation id. */
function whatExists(db: Store): string {
  const labels = recentLabels(db, 5)
  if (labels.length === 0) return `the database holds no evaluations yet; run "${hint('eval')}" or "${hint('sweep')}" first`
  const newest = listEvaluations(db, 1)[0]
  return `recent labels are ${labels.map((l) => `"${l}"`).join(', ')} (evaluation ids up to ${newest.id})`
}
