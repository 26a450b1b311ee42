import type {Dataset} from '../datasets/types.js'
import type {EvaluatorDescriptor} from './configured-evaluator.js'
import type {RecordFailure} from '../store/evaluations.js'
import type {CohortMetric} from './evaluate.js'

export interface MetricSummary {
  value: number
  ciLow: number | null
  ciHigh: number | null
  n: number
}

/** What `lrgate eval` prints: its table, or this object as JSON. */
export interface EvaluationSummary {
  evaluation: {
    id: number
    label: string
    source: 'model' | 'outputs'
    dataset: {ref: string; hash: string}
    records: number
    confidence: number
    resamples: number
    seed: number
  }
  /** Metric names in column order: the evaluators', then failRate. */
  metrics: string[]
  cohorts: {cohort: string; role: string; records: number; metrics: Record<string, MetricSummary>}[]
  /** Every failing score (a record below/above an evaluator's threshold) with the evaluator's reason. */
  failures: RecordFailure[]
}

/** Groups cohort aggregates for display. */
export function summarizeEvaluation(
  evaluation: Omit<EvaluationSummary['evaluation'], 'dataset' | 'records'>,
  dataset: Dataset,
  evaluators: readonly EvaluatorDescriptor[],
  cohorts: readonly CohortMetric[],
  cohortOrder: readonly string[],
  failures: readonly RecordFailure[],
): EvaluationSummary {
  const metrics = [...evaluators.map((e) => e.metric)]
  if (cohorts.some((c) => c.metric === 'failRate')) metrics.push('failRate')
  return {
    evaluation: {...evaluation, dataset: {ref: dataset.ref, hash: dataset.hash}, records: dataset.records.length},
    metrics,
    cohorts: cohortOrder.map((cohort) => ({
      cohort,
      role: dataset.manifest.cohorts[cohort]?.role ?? 'other',
      records: dataset.records.filter((r) => r.cohort === cohort).length,
      metrics: Object.fromEntries(
        cohorts
          .filter((c) => c.cohort === cohort)
          .map((c) => [c.metric, {value: c.value, ciLow: finite(c.ciLow), ciHigh: finite(c.ciHigh), n: c.n}]),
      ),
    })),
    failures: [...failures],
  }
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null
}
