import {sideOf, withinThreshold} from '../../evaluators/threshold.js'
import type {Dataset} from '../datasets/types.js'
import type {EvaluatedRecord, EvaluatorDescriptor, RecordScoreRow, StoredRecord} from '../store/evaluations.js'
import {type AggregateOptions, aggregateCohorts, type EvaluationResult} from './evaluate.js'

/**
 * The per-record mean of several evaluations of one dataset: the evaluations of one sweep
 * configuration fine-tuned with different seeds (`sweep --seeds N`). Each record's metric value
 * and NLL are the means over the seeds; thresholds are applied to the mean scores, so a record
 * fails when the configuration's average score fails (the fail rate is the share of such
 * records); token and byte counts are the record's own (the same for every seed of one model
 * shape). Cohort aggregates and bootstrap intervals are computed from these records as for any
 * evaluation, so the gate compares the seed mean with the baseline record by record.
 *
 * @param perSeed every seed's stored records (record id → record), at least two
 * @param evaluators the evaluators the seeds' evaluations ran (the first one's descriptors)
 * @throws Error when a record or a metric is missing from one seed (the evaluations must be of one dataset and one evaluator set)
 */
export function seedMeanResult(dataset: Dataset, perSeed: ReadonlyArray<ReadonlyMap<string, StoredRecord>>, evaluators: readonly EvaluatorDescriptor[], options: AggregateOptions): EvaluationResult {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const records: EvaluatedRecord[] = dataset.records.flatMap((record) => {
    const copies = perSeed.map((seed) => seed.get(record.id))
    if (copies.every((c) => c === undefined)) return []
    if (copies.some((c) => c === undefined)) throw new Error(`seed mean: record "${record.id}" is missing from one seed's evaluation`)
    const rows = copies as StoredRecord[]
    const scores: RecordScoreRow[] = []
    for (const e of evaluators) {
      const values = rows.map((r) => r.scores.get(e.metric)?.value)
      if (values.every((v) => v === undefined)) continue
      if (values.some((v) => v === undefined)) throw new Error(`seed mean: record "${record.id}" has no ${e.metric} score in one seed's evaluation`)
      const value = mean(values as number[])
      scores.push({metric: e.metric, value, passed: e.threshold === undefined ? null : withinThreshold(value, e.threshold, sideOf(e.direction))})
    }
    const nlls = rows.map((r) => r.nll)
    const first = rows[0]
    return [
      {
        id: record.id,
        cohort: first.cohort,
        ...(nlls.every((n): n is number => n !== null) ? {nll: mean(nlls)} : {}),
        ...(first.tokens === null ? {} : {tokens: first.tokens}),
        ...(first.bytes === null ? {} : {bytes: first.bytes}),
        failed: scores.some((s) => s.passed === false),
        scores,
      },
    ]
  })
  return {records, cohorts: aggregateCohorts(dataset, records, evaluators, options), evaluators: [...evaluators]}
}
