import type {ScoredRecord, Score} from '../../evaluators/types.js'
import {FAIL_RATE_METRIC} from '../../evaluators/names.js'
import {sideOf, withinThreshold} from '../../evaluators/threshold.js'
import type {Dataset, DatasetRecord} from '../datasets/types.js'
import {InputError} from '../errors.js'
import {deriveSeed} from '../util/rng.js'
import {bootstrapInterval} from '../statistics/bootstrap.js'
import type {CohortMetric, EvaluatedRecord, EvaluatorDescriptor, RecordScoreRow} from '../store/evaluations.js'
import type {ConfiguredEvaluator} from './configured-evaluator.js'
import type {RecordOutput} from './model-outputs.js'
import {bitsPerByteSamples, meanSamples, perplexitySamples, ratioStatistic, type RatioSamples} from '../statistics/statistic.js'

export type {CohortMetric, EvaluatedRecord, RecordScoreRow} from '../store/evaluations.js'

export interface EvaluationResult {
  records: EvaluatedRecord[]
  cohorts: CohortMetric[]
  evaluators: EvaluatorDescriptor[]
}

export interface AggregateOptions {
  seed: number
  resamples: number
  confidence: number
}

/**
 * Scores every record with every evaluator that applies (its cohort glob matches and the record has
 * what it needs), marks failed records, and aggregates per cohort with bootstrap intervals.
 */
export async function evaluateRecords(
  dataset: Dataset,
  outputs: ReadonlyMap<string, RecordOutput>,
  evaluators: readonly ConfiguredEvaluator[],
  options: AggregateOptions,
): Promise<EvaluationResult> {
  // record-text.ts is pure, but src/model stays out of the static graph of `eval --outputs` and `check`
  const {recordText} = await import('../model/record-text.js')
  const records: EvaluatedRecord[] = []
  for (const record of dataset.records) {
    const scored = toScoredRecord(record, outputs.get(record.id))
    // bytes of what an nll covers: a property of the record, the same for every model
    scored.bytes = Buffer.byteLength(recordText(record).completion, 'utf8')
    const scores: RecordScoreRow[] = []
    for (const e of evaluators) {
      if (!e.appliesToCohort(record.cohort) || !e.evaluator.needs.every((f) => hasField(scored, f))) continue
      const {value, reason} = await scoreOne(e, scored)
      const threshold = e.descriptor.threshold
      const passed = threshold === undefined ? null : withinThreshold(value, threshold, sideOf(e.descriptor.direction))
      scores.push({metric: e.descriptor.metric, value, passed, ...(reason === undefined ? {} : {reason})})
    }
    records.push({
      id: record.id,
      cohort: record.cohort,
      ...(scored.output === undefined ? {} : {output: scored.output}),
      ...(scored.nll === undefined ? {} : {nll: scored.nll}),
      ...(scored.tokens === undefined ? {} : {tokens: scored.tokens}),
      ...(scored.bytes === undefined ? {} : {bytes: scored.bytes}),
      failed: scores.some((s) => s.passed === false),
      scores,
    })
  }
  const descriptors = evaluators.map((e) => e.descriptor)
  return {records, cohorts: aggregateCohorts(dataset, records, descriptors, options), evaluators: descriptors}
}

/**
 * Per cohort and metric: the aggregate, its percentile bootstrap interval and the record count.
 * failRate (failed / records of the cohort) is given for cohorts where a thresholded evaluator applied.
 */
export function aggregateCohorts(
  dataset: Dataset,
  records: readonly EvaluatedRecord[],
  evaluators: readonly EvaluatorDescriptor[],
  options: AggregateOptions,
): CohortMetric[] {
  const cohorts = cohortOrder(dataset, records)
  const out: CohortMetric[] = []
  for (const cohort of cohorts) {
    const inCohort = records.filter((r) => r.cohort === cohort)
    for (const e of evaluators) {
      const scored = inCohort.flatMap((r) => {
        const s = r.scores.find((x) => x.metric === e.metric)
        return s === undefined ? [] : [{r, s}]
      })
      if (scored.length === 0) continue
      const samples =
        e.aggregation === 'perplexity'
          ? perplexitySamples(scored.map(({r}) => r.nll ?? 0), scored.map(({r}) => r.tokens ?? 0))
          : e.aggregation === 'bitsPerByte'
            ? bitsPerByteSamples(scored.map(({r}) => r.nll ?? 0), scored.map(({r}) => r.bytes ?? 0))
            : meanSamples(scored.map(({s}) => s.value))
      out.push(cohortMetric(cohort, e.metric, samples, options))
    }
    if (inCohort.some((r) => r.scores.some((s) => s.passed !== null))) {
      out.push(cohortMetric(cohort, FAIL_RATE_METRIC, meanSamples(inCohort.map((r) => (r.failed ? 1 : 0))), options))
    }
  }
  return out
}

function cohortMetric(cohort: string, metric: string, samples: RatioSamples, options: AggregateOptions): CohortMetric {
  const [ciLow, ciHigh] = bootstrapInterval(samples, {...options, seed: deriveSeed(options.seed, `eval:${cohort}:${metric}`)})
  return {cohort, metric, value: ratioStatistic(samples), ciLow, ciHigh, n: samples.num.length}
}

/** The manifest's cohorts in its order, then any others the records use. */
export function cohortOrder(dataset: Dataset, records: readonly {cohort: string}[]): string[] {
  const seen = new Set(Object.keys(dataset.manifest.cohorts))
  const extra = [...new Set(records.map((r) => r.cohort))].filter((c) => !seen.has(c)).sort()
  return [...Object.keys(dataset.manifest.cohorts).filter((c) => records.some((r) => r.cohort === c)), ...extra]
}

function toScoredRecord(record: DatasetRecord, output: RecordOutput | undefined): ScoredRecord {
  const out: ScoredRecord = {id: record.id, cohort: record.cohort}
  for (const key of ['input', 'reference', 'context', 'text'] as const) if (record[key] !== undefined) out[key] = record[key]
  if (output?.output !== undefined) out.output = output.output
  if (output?.nll !== undefined && output.tokens !== undefined) {
    out.nll = output.nll
    out.tokens = output.tokens
  }
  return out
}

function hasField(record: ScoredRecord, field: keyof ScoredRecord): boolean {
  const v = record[field]
  if (field === 'tokens') return typeof v === 'number' && v > 0
  if (typeof v === 'number') return Number.isFinite(v)
  return typeof v === 'string'
}

async function scoreOne(e: ConfiguredEvaluator, record: ScoredRecord): Promise<Score> {
  let raw: number | Score
  try {
    raw = await e.evaluator.score(record)
  } catch (error) {
    if (e.descriptor.source === 'builtin') throw error
    throw new InputError(`${e.descriptor.path}: evaluator "${e.descriptor.name}" threw on record "${record.id}" (${(error as Error).message}).`, {cause: error})
  }
  const score = typeof raw === 'number' ? {value: raw} : raw
  // ±Infinity is a value (a perplexity whose exp overflowed: the record is as bad as it gets); NaN is not.
  if (typeof score?.value !== 'number' || Number.isNaN(score.value)) {
    const who = e.descriptor.path ?? `evaluator "${e.descriptor.name}"`
    throw new InputError(`${who}: returned ${JSON.stringify(score?.value ?? raw)} for record "${record.id}"; a score must be a number (±Infinity allowed, not NaN).`)
  }
  return score
}
