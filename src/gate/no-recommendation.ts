import type {Store as Db} from '../store/db.js'
import {getStoredDataset} from '../store/datasets.js'
import {cohortMetrics, getEvaluation} from '../store/evaluations.js'
import {runConfig} from '../store/runs.js'
import {type CandidateRow, getRun, latestSweepRun, type RunRow, runCandidates} from '../store/runs-read.js'
import {type CheckRequest, runCheck} from './run-check.js'
import type {GateReport, GateRow} from './types.js'

/**
 * The completed sweep run a `--candidate` reference asks the recommendation of (`recommended`,
 * `run:recommended`, `run:<id>:recommended`) when that run recommended nothing because no
 * candidate passed the gate; undefined for every other reference (those resolve as usual).
 */
export function sweepWithoutRecommendation(db: Db, ref: string): RunRow | undefined {
  const t = ref.trim()
  const m = /^run:(\d+):recommended$/.exec(t)
  const run = m !== null ? getRun(db, Number(m[1])) : t === 'recommended' || t === 'run:recommended' ? latestSweepRun(db) : undefined
  if (run === undefined || run.kind !== 'sweep' || run.status !== 'completed' || run.recommendedCandidateId !== null) return undefined
  return run
}

/**
 * `check --candidate recommended` after a sweep where no candidate passed: nothing may ship, so the
 * verdict is fail (exit 1), not an error. The rows are the gate of the completed candidate with the
 * largest target gain (the one the sweep would have recommended had it passed) against the requested
 * baseline, under a first row saying that nothing was recommended; with no completed candidate, one
 * failing row per candidate with its status. Stores the gate when a candidate was compared.
 */
export function checkWithoutRecommendation(db: Db, run: RunRow, request: CheckRequest): GateReport {
  const candidates = runCandidates(db, run.id)
  const completed = candidates.filter((c) => c.status === 'completed' && c.evaluationId !== null)
  const passed = completed.filter((c) => c.verdict === 'pass')
  const best = bestTargetGain(db, run, passed.length > 0 ? passed : completed)
  const head =
    passed.length > 0
      ? `run #${run.id} recommended no learning rate: ${passed.length === 1 ? 'the one candidate that passes the gate does not improve' : `none of the ${passed.length} candidates that pass the gate improves`} ${objectiveOf(db, run)} on the model it would replace, so that model is kept`
      : `run #${run.id} recommended no learning rate: none of its ${candidates.length} ${candidates.length === 1 ? 'candidate' : 'candidates'} passed the gate (${completed.length} completed)`
  if (best === undefined) {
    const rows = candidates.map((c) => statusRow(`candidate ${c.label}`, `${head}; ${c.label} ${c.status}${c.statusReason ? `: ${c.statusReason}` : ''}`))
    const none = {id: 0, label: 'none'}
    return {
      verdict: 'fail', gateId: null, candidate: none, baseline: none, datasetHash: {candidate: '', baseline: ''}, sharedRecords: 0,
      confidence: request.confidence, resamples: request.resamples, seed: request.seed,
      results: rows.length > 0 ? rows : [statusRow('candidates', `${head}; the run has no candidates`)],
    }
  }
  const report = runCheck(db, {...request, candidate: String(best.evaluationId)})
  const which = passed.length > 0 ? 'the passing candidate' : 'the completed candidate'
  const first = statusRow(`candidate ${best.label}`, `${head}; rows below are ${best.label}'s, ${which} with the largest target gain`)
  return {...report, verdict: 'fail', results: [first, ...report.results]}
}

/** The run's sweep.objective as a sentence names it (its stored plan; target perplexity when absent). */
function objectiveOf(db: Db, run: RunRow): string {
  const plan = runConfig(db, run.id)?.config as {objective?: {metric?: unknown; cohorts?: unknown}} | null
  const metric = typeof plan?.objective?.metric === 'string' ? plan.objective.metric : 'perplexity'
  return typeof plan?.objective?.cohorts === 'string' ? `${metric} on ${plan.objective.cohorts}` : `target ${metric}`
}

/** The completed candidate with the largest target gain, by the sweep's own measure (see recommend). */
function bestTargetGain(db: Db, run: RunRow, completed: readonly CandidateRow[]): CandidateRow | undefined {
  if (completed.length === 0) return undefined
  if (run.baseEvaluationId === null) return completed[0]
  const base = cohortMetrics(db, run.baseEvaluationId)
  const dataset = getStoredDataset(db, getEvaluation(db, run.baseEvaluationId)!.datasetId)
  const isTarget = (cohort: string) => dataset?.cohorts[cohort]?.role === 'target'
  const mean = (rows: {value: number}[]) => (rows.length === 0 ? null : rows.reduce((a, r) => a + r.value, 0) / rows.length)
  const on = (rows: typeof base, metric: string) => mean(rows.filter((r) => r.metric === metric && isTarget(r.cohort)))
  const gain = (c: CandidateRow) => {
    const mine = cohortMetrics(db, c.evaluationId!)
    const [bp, cp] = [on(base, 'perplexity'), on(mine, 'perplexity')]
    if (bp !== null && cp !== null && bp > 0) return -(cp - bp) / bp
    const [br, cr] = [on(base, 'relevance'), on(mine, 'relevance')]
    return br !== null && cr !== null ? cr - br : Number.NEGATIVE_INFINITY
  }
  return completed.reduce((a, c) => (gain(c) > gain(a) ? c : a))
}

function statusRow(cohort: string, message: string): GateRow {
  return {
    rule: 'sweep recommendation', ruleIndex: -1, cohort, metric: 'recommendation', baseline: null, candidate: null, delta: null, ciLow: null, ciHigh: null,
    limit: null, limitKind: 'minGain', limitSide: 'atLeast', relative: false, status: 'fail', message, records: 0, inconclusive: false, recordsNeeded: null,
    pValue: null, adjustedP: null, decided: true,
  }
}
