import {basename, extname, resolve} from 'node:path'

import type {Config} from '../config/schema.js'
import {DEFAULT_CONFIG} from '../config/defaults.js'
import {loadDataset} from '../datasets/load.js'
import {InputError} from '../errors.js'
import type {Db} from '../store/db.js'
import {loadEvaluators} from './load-evaluators.js'
import {matchOutputs} from './match-outputs.js'
import type {RecordOutput} from './model-outputs.js'
import {readOutputsFile} from './outputs-file.js'
import {evaluateRecords} from './evaluate.js'
import {storeEvaluation} from './store-evaluation.js'
import type {EvaluationSummary} from './summary.js'
import {resolveModelRef} from '../model/reference.js'

export interface EvalRequest {
  /** `name@version` or a dataset folder. */
  dataset: string
  /** Exactly one of `outputs` (a JSONL file) and `model` (a model folder). */
  outputs?: string
  model?: string
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
  openDb: () => Db
  onProgress?: (fraction: number, phase: 'generate' | 'score') => void
}

/** Labels that `lrgate check` would read as something else. */
export function checkLabel(label: string): void {
  if (/^\d+$/.test(label) || label === 'promoted' || label.startsWith('run:') || label.trim() === '') {
    throw new InputError(`--label "${label}": a label may not be a number, "promoted" or start with "run:" (those name other things in lrgate check); choose another label.`)
  }
}

/**
 * `lrgate eval`: loads the dataset and evaluators, gets outputs (file or model), checks they cover
 * the dataset, then scores and stores everything in one transaction.
 */
export async function runEval(request: EvalRequest): Promise<EvaluationSummary> {
  if ((request.outputs === undefined) === (request.model === undefined)) throw new InputError('give exactly one of --outputs <file.jsonl> and --model <dir>.')
  const label = request.label ?? defaultLabel(request)
  checkLabel(label)
  const dataset = await loadDataset(request.dataset, {cwd: request.cwd})
  const evaluators = await loadEvaluators({
    specs: request.config.eval.evaluators,
    configFile: request.configFile,
    modulePaths: request.evaluatorPaths,
    cwd: request.cwd,
  })

  let outputs: RecordOutput[]
  let source: string
  if (request.outputs !== undefined) {
    source = request.outputs
    outputs = readOutputsFile(resolve(request.cwd, request.outputs), request.outputs)
  } else {
    source = request.model!
    // Loaded only here: the engine pulls in tfjs, which `eval --outputs` and `check` must not pay for.
    const {modelOutputs} = await import('./model-outputs.js')
    outputs = await modelOutputs(dataset, {
      modelDir: resolveModelRef(request.model!, request.cwd, '--model'),
      generation: {...DEFAULT_CONFIG.eval.generation, ...request.config.eval.generation} as Required<Config['eval']['generation']>,
      seed: request.seed,
      backend: request.backend,
      onProgress: request.onProgress,
    })
  }
  const byId = matchOutputs(dataset, outputs, source)

  const aggregate = {seed: request.seed, resamples: request.resamples, confidence: request.confidence}
  const result = await evaluateRecords(dataset, byId, evaluators, aggregate)

  const db = request.openDb()
  try {
    const stored = storeEvaluation(
      db,
      {
        dataset,
        label,
        source: request.outputs !== undefined ? 'outputs' : 'model',
        ...(request.outputs !== undefined ? {outputsFile: resolve(request.cwd, request.outputs)} : {modelDir: resolveModelRef(request.model!, request.cwd, '--model')}),
        ...(request.model !== undefined ? {backend: request.backend} : {}),
        ...aggregate,
      },
      result,
    )
    return stored.summary
  } finally {
    db.close()
  }
}

function defaultLabel(request: EvalRequest): string {
  const from = request.outputs ?? request.model!
  return basename(from, extname(from)) || 'eval'
}
