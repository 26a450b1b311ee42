import {basename, extname, resolve} from 'node:path'

import type {Config} from '../config/schema.js'
import {loadDataset} from '../datasets/load.js'
import {displayUrl} from '../endpoint/display-url.js'
import {checkLabel} from './label.js'
import {InputError} from '../errors.js'
import type {Store} from '../store/db.js'
import {Interrupted} from '../util/cooperative.js'
import {evaluationSettings} from './evaluation-settings.js'
import {loadEvaluators} from './load-evaluators.js'
import {matchOutputs} from './match-outputs.js'
import type {RecordOutput} from './model-outputs.js'
import {readOutputsFile} from './outputs-file.js'
import {evaluateRecords} from './evaluate.js'
import {storeEvaluation} from './store-evaluation.js'
import type {EvaluationSummary} from './summary.js'

export interface EvalRequest {
  /** `name@version` or a dataset folder. */
  dataset: string
  /** Exactly one of `outputs` (a JSONL file), `model` (a model folder) and `endpoint` (a served model's base URL, or config eval.endpoint.url). */
  outputs?: string
  model?: string
  endpoint?: string
  /** The served model to ask for (overrides eval.endpoint.model). */
  endpointModel?: string
  /** Where eval.endpoint.apiKeyEnv is looked up. */
  env?: NodeJS.ProcessEnv
  /** Warnings for stderr (e.g. perplexity unavailable from the endpoint). */
  onWarning?: (message: string) => void
  label?: string
  /** `--evaluator` module paths (relative to cwd). */
  evaluatorPaths: readonly string[]
  config: Config
  configFile: string | null
  seed: number
  resamples: number
  confidence: number
  backend: string
  cwd: string
  /** Opened only once every input has been validated, so bad input never touches the database. */
  openStore: () => Store
  onProgress?: (fraction: number, phase: 'generate' | 'score') => void
  /** SIGTERM / Ctrl-C: generation stops between forward passes and nothing is stored (throws Interrupted) */
  signal?: AbortSignal
}

/**
 * `lrgate eval`: loads the dataset and evaluators, gets outputs (file or model), checks they cover
 * the dataset, then scores and stores everything in one transaction.
 */
export async function runEval(request: EvalRequest): Promise<EvaluationSummary> {
  const endpointUrl = request.endpoint ?? (request.outputs === undefined && request.model === undefined ? request.config.eval.endpoint.url : undefined)
  if ([request.outputs, request.model, endpointUrl].filter((s) => s !== undefined).length !== 1) {
    throw new InputError('give exactly one of --outputs <file.jsonl>, --model <dir> and --endpoint <url> (or eval.endpoint.url in the config).')
  }
  if (request.endpointModel !== undefined && endpointUrl === undefined) throw new InputError('--endpoint-model needs --endpoint <url>.')
  let label = request.label ?? defaultLabel(request, endpointUrl)
  checkLabel(label, request.label === undefined ? 'the default label (from the file or folder name; give --label)' : '--label')
  const dataset = await loadDataset(request.dataset, {cwd: request.cwd})
  const evaluators = await loadEvaluators({
    specs: request.config.eval.evaluators,
    configFile: request.configFile,
    modulePaths: request.evaluatorPaths,
    cwd: request.cwd,
  })

  const {generation} = evaluationSettings(request.seed, request.config.eval.generation)
  // "example" or a folder, resolved once: generation, the tokenizer identity and the stored path agree.
  const modelDir = request.model === undefined ? undefined : (await import('../model/reference.js')).resolveModelRef(request.model, request.cwd, '--model')
  let outputs: RecordOutput[]
  let source: string
  let served: {endpointUrl: string; endpointModel: string; tokenizer: string; perplexityUnavailable?: string} | undefined
  if (endpointUrl !== undefined) {
    const settings = {...request.config.eval.endpoint, url: endpointUrl, ...(request.endpointModel === undefined ? {} : {model: request.endpointModel})}
    source = displayUrl(endpointUrl)
    const {endpointOutputs} = await import('../endpoint/endpoint-outputs.js')
    const run = await endpointOutputs(dataset, settings, {generation, seed: request.seed, env: request.env ?? process.env, onProgress: request.onProgress, signal: request.signal})
    outputs = run.outputs
    if (request.label === undefined) {
      label = run.model
      checkLabel(label, 'the default label (the served model\'s name; give --label)')
    }
    served = {endpointUrl: source, endpointModel: run.model, tokenizer: run.tokenizer, ...(run.perplexityUnavailable === undefined ? {} : {perplexityUnavailable: run.perplexityUnavailable})}
    if (run.perplexityUnavailable !== undefined) {
      request.onWarning?.(`perplexity is unavailable from ${source} (model "${run.model}"): ${run.perplexityUnavailable}; the evaluation is stored without it and the gate skips perplexity rules.`)
    }
  } else if (request.outputs !== undefined) {
    source = request.outputs
    outputs = readOutputsFile(resolve(request.cwd, request.outputs), request.outputs)
  } else {
    // The one path every command that scores a model takes (eval/evaluate-model.ts).
    const {evaluateModelOnDataset} = await import('./evaluate-model.js')
    const stored = await evaluateModelOnDataset(request.openStore, {
      modelDir: modelDir!, dataset, evaluators, seed: request.seed, generation: request.config.eval.generation,
      resamples: request.resamples, confidence: request.confidence, backend: request.backend, label, onProgress: request.onProgress, signal: request.signal,
    })
    return stored.summary
  }
  const byId = matchOutputs(dataset, outputs, source)

  const aggregate = {seed: request.seed, resamples: request.resamples, confidence: request.confidence}
  const result = await evaluateRecords(dataset, byId, evaluators, aggregate)

  // A signal that came while outputs were read or scored: store nothing rather than a partial evaluation.
  if (request.signal?.aborted === true) throw new Interrupted(String(request.signal.reason))
  const db = request.openStore()
  try {
    const stored = storeEvaluation(
      db,
      {
        dataset,
        label,
        source: request.outputs !== undefined ? 'outputs' : 'model',
        ...(request.outputs !== undefined ? {outputsFile: resolve(request.cwd, request.outputs)} : {}),
        ...(served ?? {}),
        ...aggregate,
      },
      result,
    )
    return stored.summary
  } finally {
    db.close()
  }
}

function defaultLabel(request: EvalRequest, endpointUrl: string | undefined): string {
  if (endpointUrl !== undefined) return request.endpointModel ?? request.config.eval.endpoint.model ?? 'endpoint'
  const from = request.outputs ?? request.model!
  return basename(from, extname(from)) || 'eval'
}
