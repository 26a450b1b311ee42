import {join} from 'node:path'

import {endpointOutputs} from '../endpoint/endpoint-outputs.js'
import {folderTokenizerIdentity} from '../endpoint/folder-tokenizer.js'
import {withServedModel} from '../endpoint/serve-command.js'
import {evaluationSettings} from '../eval/evaluation-settings.js'
import {loadEvaluators} from '../eval/load-evaluators.js'
import {matchOutputs} from '../eval/match-outputs.js'
import {evaluateAndStore} from '../eval/store-evaluation.js'
import type {Store} from '../store/db.js'
import type {EvaluationTarget} from './evaluation-target.js'
import {maskSecrets} from '../process/index.js'

/** A model folder evaluated through `eval.serveCommand` (a server per model) instead of lrgate's own loader. */
export interface ServedEvaluation extends EvaluationTarget {
  /** eval.serveCommand, with {model} and {port} */
  template: string
  /** where serve.log (what the server printed, secrets masked) is written */
  workDir: string
  onProgress?: (fraction: number, phase: string) => void
  /** e.g. perplexity unavailable from this server */
  onWarning?: (message: string) => void
}

/**
 * Starts `eval.serveCommand` for one model folder on a free port of 127.0.0.1, waits for
 * `/v1/models`, evaluates through the endpoint path of `lrgate eval --endpoint` (eval.endpoint's
 * apiKeyEnv, concurrency, timeout, retries, api and model apply; its url does not), stores the
 * evaluation, and stops the server's process group whatever happened. Returns the evaluation id.
 * Throws an InputError when the server does not come up or the endpoint fails (exit 2 for `eval`,
 * a failed candidate for the sweep).
 */
export async function evaluateServed(db: Store, e: ServedEvaluation): Promise<number> {
  const {plan} = e
  const evaluators = await loadEvaluators({specs: plan.evaluation.evaluators, configFile: plan.configFile, cwd: plan.cwd})
  const settings = evaluationSettings(plan.seed, plan.evaluation.generation)
  const mask = (text: string) => maskSecrets(text)
  const run = await withServedModel(
    e.template,
    {model: e.modelDir, cwd: plan.cwd, env: process.env, logFile: join(e.workDir, 'serve.log'), mask},
    (url) => endpointOutputs(e.dataset, {...plan.evaluation.endpoint, url}, {
      generation: settings.generation,
      seed: settings.generationSeed,
      env: process.env,
      onProgress: (f, phase) => e.onProgress?.(phase === 'generate' ? f * 0.8 : 0.8 + f * 0.2, phase === 'generate' ? 'generating' : 'scoring'),
    }).then((r) => ({...r, url})),
  )
  if (run.perplexityUnavailable !== undefined) {
    e.onWarning?.(`perplexity is unavailable from eval.serveCommand's server (model "${run.model}"): ${run.perplexityUnavailable}; the evaluation is stored without it and the gate skips perplexity rules.`)
  }
  const stored = await evaluateAndStore(db, {
    dataset: e.dataset,
    outputs: matchOutputs(e.dataset, run.outputs, `eval.serveCommand (${e.modelDir})`),
    evaluators,
    label: e.label,
    source: 'model',
    modelDir: e.modelDir,
    runId: e.runId,
    ...(e.candidateId === undefined ? {} : {candidateId: e.candidateId}),
    backend: 'served',
    endpointUrl: run.url,
    endpointModel: run.model,
    // `model:<id>` (a server that does not name its tokenizer) would differ between the base and each
    // candidate (each is served under its own path); the folder's tokenizer files say whether they count alike.
    tokenizer: run.tokenizer.startsWith('model:') ? (folderTokenizerIdentity(e.modelDir) ?? run.tokenizer) : run.tokenizer,
    ...(run.perplexityUnavailable === undefined ? {} : {perplexityUnavailable: run.perplexityUnavailable}),
    seed: settings.seed,
    resamples: plan.evaluation.resamples,
    confidence: plan.evaluation.confidence,
  })
  return stored.evaluationId
}
