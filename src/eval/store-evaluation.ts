import type {Dataset} from '../datasets/types.js'
import {type Store, writeTransaction} from '../store/db.js'
import {recordDatasetUse} from '../store/datasets.js'
import {insertEvaluation, recordFailures} from '../store/evaluations.js'
import type {ConfiguredEvaluator} from './configured-evaluator.js'
import {type AggregateOptions, cohortOrder, evaluateRecords, type EvaluationResult} from './evaluate.js'
import type {RecordOutput} from './model-outputs.js'
import {type EvaluationSummary, summarizeEvaluation} from './summary.js'

export interface EvaluationToStore extends AggregateOptions {
  dataset: Dataset
  outputs: ReadonlyMap<string, RecordOutput>
  evaluators: readonly ConfiguredEvaluator[]
  label: string
  source: 'model' | 'outputs'
  modelDir?: string
  outputsFile?: string
  runId?: number
  candidateId?: number
  backend?: string
  /** A served model (eval --endpoint): its URL without credentials and the model asked for. */
  endpointUrl?: string
  endpointModel?: string
  /** Tokenizer identity of the token counts; absent when unknown (outputs files). */
  tokenizer?: string
  /** Why perplexity is unavailable (the endpoint gave no prompt log-probs). */
  perplexityUnavailable?: string
  /** The evaluations this one is the per-record seed mean of (sweep --seeds). */
  seedMeanOf?: readonly number[]
}

/**
 * Scores outputs against a dataset and stores the dataset use, the evaluation, every record's
 * scores and every cohort aggregate in one transaction. The sweep and `lrgate eval` both end here.
 */
export async function evaluateAndStore(db: Store, request: EvaluationToStore): Promise<StoredEvaluation> {
  const result = await evaluateRecords(request.dataset, request.outputs, request.evaluators, request)
  return storeEvaluation(db, request, result)
}

export interface StoredEvaluation {
  evaluationId: number
  result: EvaluationResult
  summary: EvaluationSummary
}

/** Stores an already scored evaluation (see evaluateAndStore) in one transaction. */
export function storeEvaluation(db: Store, request: Omit<EvaluationToStore, 'outputs' | 'evaluators'>, result: EvaluationResult): StoredEvaluation {
  const {dataset} = request
  const evaluationId = writeTransaction(db, () => {
    const datasetId = recordDatasetUse(db, dataset)
    return insertEvaluation(
      db,
      {
        label: request.label,
        datasetId,
        datasetHash: dataset.hash,
        source: request.source,
        modelDir: request.modelDir,
        outputsFile: request.outputsFile,
        runId: request.runId,
        candidateId: request.candidateId,
        evaluators: result.evaluators,
        seed: request.seed,
        backend: request.backend,
        endpointUrl: request.endpointUrl,
        endpointModel: request.endpointModel,
        tokenizer: request.tokenizer,
        referenceBytes: result.records.reduce((n, r) => n + (r.bytes ?? 0), 0),
        perplexityUnavailable: request.perplexityUnavailable,
        seedMeanOf: request.seedMeanOf,
      },
      result.records,
      result.cohorts,
    )
  })
  const summary = summarizeEvaluation(
    {id: evaluationId, label: request.label, source: request.source, confidence: request.confidence, resamples: request.resamples, seed: request.seed},
    dataset,
    result.evaluators,
    result.cohorts,
    cohortOrder(dataset, result.records),
    recordFailures(db, evaluationId),
  )
  return {evaluationId, result, summary}
}
