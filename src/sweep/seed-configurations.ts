import {seedMeanResult} from '../eval/seed-mean.js'
import {storeEvaluation} from '../eval/store-evaluation.js'
import type {Dataset} from '../datasets/types.js'
import type {Store} from '../store/db.js'
import {getEvaluation, latestEvaluationByLabel, storedRecords} from '../store/evaluations.js'
import {deriveSeed} from '../util/rng.js'

/** What a configuration of a `--seeds N` sweep is (its seeds share it): the label without its ` seed-N` part. */
export function configurationLabel(label: string): string {
  return label.replace(/ seed-\d+$/, '')
}

export interface SeedMeanRequest {
  dataset: Dataset
  runId: number
  /** the sweep's seed; the mean's bootstrap seed derives from it and the configuration */
  seed: number
  resamples: number
  confidence: number
}

/**
 * Stores (once: an existing one for the same seeds is reused, so a re-gate adds nothing) the
 * evaluation that is the per-record mean of one configuration's seed evaluations, labelled
 * `<configuration> seed-mean`, and returns its id.
 *
 * @param evaluationIds the seeds' evaluations, in seed order (at least two, all of `request.dataset`)
 */
export function storeSeedMean(db: Store, evaluationIds: readonly number[], request: SeedMeanRequest): number {
  const first = getEvaluation(db, evaluationIds[0])!
  const label = `${configurationLabel(first.label)} seed-mean`
  const existing = latestEvaluationByLabel(db, label)
  if (existing && existing.runId === request.runId && JSON.stringify(existing.seedMeanOf) === JSON.stringify(evaluationIds)) return existing.id
  const aggregate = {seed: deriveSeed(request.seed, `seed-mean:${label}`), resamples: request.resamples, confidence: request.confidence}
  const result = seedMeanResult(request.dataset, evaluationIds.map((id) => storedRecords(db, id)), first.evaluators, aggregate)
  return storeEvaluation(db, {dataset: request.dataset, label, source: 'model', runId: request.runId, seedMeanOf: evaluationIds, ...(first.tokenizer ? {tokenizer: first.tokenizer} : {}), ...aggregate}, result).evaluationId
}
