import type {Dataset} from '../datasets/types.js'
import type {Store} from '../store/db.js'
import {Interrupted} from '../util/cooperative.js'
import type {ConfiguredEvaluator} from './configured-evaluator.js'
import {evaluationSettings, type GenerationSettings} from './evaluation-settings.js'
import {evaluateRecords} from './evaluate.js'
import {storeEvaluation, type StoredEvaluation} from './store-evaluation.js'

/** One model folder scored on one dataset: what every command that evaluates a model gives. */
export interface ModelOnDataset {
  /** the model folder (a base, a candidate's artifact, a promoted model); stored with the evaluation */
  modelDir: string
  dataset: Dataset
  evaluators: readonly ConfiguredEvaluator[]
  /** the run's (or config's) seed; generation and intervals derive from it by evaluationSettings */
  seed: number
  /** eval.generation of the config; unset fields take the defaults */
  generation?: Partial<GenerationSettings>
  /** bootstrap resamples and confidence of the cohort intervals */
  resamples: number
  confidence: number
  /** compute backend (auto, native, tensorflow, cpu); stored as given */
  backend: string
  label: string
  runId?: number
  candidateId?: number
  /** fraction done (0..1) of generation, then of scoring */
  onProgress?: (fraction: number, phase: 'generate' | 'score') => void
  /** stops generation and scoring between forward passes (SIGTERM, Ctrl-C): throws Interrupted, nothing is stored */
  signal?: AbortSignal
  /** called once scoring is done, right before the store is touched */
  beforeStore?: () => void
}

/**
 * THE way lrgate evaluates a model on a dataset: `lrgate eval --model`, the sweep's base, candidates
 * and interpolations, and a baseline re-evaluated on new data all call this, so one model scored on
 * one dataset with one seed stores identical rows whichever command scored it. Loads the folder with
 * openInferenceModel (native decoder when available, else tfjs), generates with
 * deriveSeed(seed, 'generate'), scores every record (nll, tokens), then scores, aggregates and
 * stores in one transaction (evaluation, records, cohorts, with the folder's tokenizer identity).
 * `store` may be a function: it is then opened only after scoring (bad input never touches the
 * database) and closed afterwards. Errors: InputError for a bad folder or backend.
 *
 * @example await evaluateModelOnDataset(db, {modelDir: 'models/example', dataset, evaluators, seed: 7, resamples: 2000, confidence: 0.95, backend: 'auto', label: 'base'})
 */
export async function evaluateModelOnDataset(store: Store | (() => Store), request: ModelOnDataset): Promise<StoredEvaluation> {
  const settings = evaluationSettings(request.seed, request.generation)
  // Loaded only here: the engine pulls in tfjs, which `eval --outputs` and `check` must not pay for.
  const {modelOutputs} = await import('./model-outputs.js')
  const outputs = await modelOutputs(request.dataset, {
    modelDir: request.modelDir,
    generation: settings.generation,
    seed: settings.generationSeed,
    backend: request.backend,
    onProgress: request.onProgress,
    signal: request.signal,
  })
  const aggregate = {seed: settings.seed, resamples: request.resamples, confidence: request.confidence}
  const result = await evaluateRecords(request.dataset, new Map(outputs.map((o) => [o.id, o])), request.evaluators, aggregate)
  // tokenizer.json only (no tfjs)
  const tokenizer = (await import('../model/tokenizer-id.js')).modelTokenizerIdentity(request.modelDir)
  // A signal that came while the records were scored: store nothing rather than a partial evaluation.
  if (request.signal?.aborted === true) throw new Interrupted(String(request.signal.reason))
  request.beforeStore?.()
  const db = typeof store === 'function' ? store() : store
  try {
    return storeEvaluation(
      db,
      {
        dataset: request.dataset,
        label: request.label,
        source: 'model',
        modelDir: request.modelDir,
        ...(request.runId === undefined ? {} : {runId: request.runId}),
        ...(request.candidateId === undefined ? {} : {candidateId: request.candidateId}),
        backend: request.backend,
        ...(tokenizer === undefined ? {} : {tokenizer}),
        ...aggregate,
      },
      result,
    )
  } finally {
    if (typeof store === 'function') db.close()
  }
}
