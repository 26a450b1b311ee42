import {FAIL_RATE_METRIC} from '../../evaluators/names.js'
import type {Direction} from '../../evaluators/types.js'
import type {CohortRole} from '../datasets/types.js'
import {compareEvaluations, type EvaluationData} from '../gate/compare.js'
import type {GateRule} from '../config/eval-schema.js'

/** `sweep.objective`: what the recommendation must improve (default: perplexity on the target cohorts). */
export interface Objective {
  metric: string
  /** a cohort glob such as "target:*"; absent: the eval dataset's cohorts whose role is `target` */
  cohorts?: string
}

export const DEFAULT_OBJECTIVE: Objective = {metric: 'perplexity'}

/** One objective cohort: candidate − baseline (relative for perplexity-like metrics) with its paired interval. */
export interface ObjectiveCohort {
  cohort: string
  delta: number | null
  ciLow: number | null
  ciHigh: number | null
  records: number
}

/**
 * A candidate's objective against what it would replace (the gate baseline). `improves` holds when
 * every objective cohort's paired interval lies wholly on the better side of zero; `gain` is the
 * mean signed improvement over the cohorts (positive = better), used to rank candidates.
 */
export interface ObjectiveResult {
  metric: string
  direction: Direction
  /** deltas are fractions of the baseline value (perplexity, bits per byte) rather than differences */
  relative: boolean
  cohorts: ObjectiveCohort[]
  improves: boolean
  gain: number | null
}

export interface ObjectiveOptions {
  confidence: number
  resamples: number
  seed: number
}

/**
 * Compares a candidate evaluation with the baseline evaluation on the objective's metric and
 * cohorts (a paired bootstrap on the records both share, as the gate does; nothing is stored).
 * Throws the gate's InputError when the metric is missing from the evaluations.
 */
export function compareObjective(
  baseline: EvaluationData,
  candidate: EvaluationData,
  objective: Objective,
  roles: ReadonlyMap<string, CohortRole>,
  options: ObjectiveOptions,
): ObjectiveResult {
  const descriptor = [...candidate.row.evaluators, ...baseline.row.evaluators].find((e) => e.metric === objective.metric)
  const direction: Direction = objective.metric === FAIL_RATE_METRIC ? 'lower' : (descriptor?.direction ?? 'higher')
  const relative = descriptor?.aggregation === 'perplexity' || descriptor?.aggregation === 'bitsPerByte'
  const globs = objective.cohorts !== undefined ? [objective.cohorts] : [...roles].filter(([, role]) => role === 'target').map(([cohort]) => cohort)
  const result: ObjectiveResult = {metric: objective.metric, direction, relative, cohorts: [], improves: false, gain: null}
  if (globs.length === 0) return result
  const rules: GateRule[] = globs.map((cohorts) => ({name: 'objective', cohorts, metric: objective.metric, minGain: 0, relative}))
  const report = compareEvaluations(baseline, candidate, rules, {...options, onSharedRecords: false})
  result.cohorts = report.results.map((r) => ({cohort: r.cohort, delta: r.delta, ciLow: r.ciLow, ciHigh: r.ciHigh, records: r.records}))
  const better = (c: ObjectiveCohort) => (direction === 'lower' ? c.ciHigh !== null && c.ciHigh < 0 : c.ciLow !== null && c.ciLow > 0)
  const measured = result.cohorts.filter((c) => c.delta !== null)
  result.improves = measured.length > 0 && measured.length === result.cohorts.length && result.cohorts.every(better)
  result.gain = measured.length === 0 ? null : measured.reduce((a, c) => a + (direction === 'lower' ? -c.delta! : c.delta!), 0) / measured.length
  return result
}

/** "target perplexity" / "relevance on ood:*": how a sentence names the objective. */
export function objectiveName(objective: Objective): string {
  const metric = objective.metric === FAIL_RATE_METRIC ? 'fail rate' : objective.metric
  return objective.cohorts === undefined ? `target ${metric}` : `${metric} on ${objective.cohorts}`
}
