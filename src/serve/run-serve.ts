import {basename, resolve} from 'node:path'

import {InputError} from '../errors.js'
import {NativeGpt} from '../model/native-gpt.js'
import type {RunningServer} from './server.js'

export interface ServeRequest {
  modelDir: string
  host: string
  port: number
  /** the id /v1/models lists [default: the folder's name] */
  name?: string
  backend: string
  /** Generation batch size of the KV-cache generator. */
  batchSize: number
  /** Name of an environment variable holding the key clients must send; unset = no auth. */
  apiKeyEnv?: string
  env: NodeJS.ProcessEnv
}

/**
 * `lrgate serve`: loads an lrgate model folder and starts the OpenAI-compatible server on it.
 * The inference engine (native decoder, or tfjs) is imported here, lazily. An unreadable model or a port in use is an InputError.
 */
export async function runServe(request: ServeRequest): Promise<RunningServer & {backend: string; modelName: string}> {
  let apiKey: string | undefined
  if (request.apiKeyEnv !== undefined) {
    apiKey = request.env[request.apiKeyEnv]
    if (apiKey === undefined || apiKey === '') throw new InputError(`--api-key-env ${request.apiKeyEnv}: that environment variable is empty; set it to the key clients must send.`)
  }
  const {openInferenceModel} = await import('../model/open-inference.js')
  const {tokenizerIdentity} = await import('../model/tokenizer-id.js')
  const {CompletionEngine} = await import('./engine.js')
  const {startServer} = await import('./server.js')
  const dir = resolve(request.modelDir)
  // The engine `lrgate eval --model` uses: the native decoder when it loads (tfjs is then never
  // imported), else tfjs on the chosen backend. So served log-probs are the same computation.
  const {model, tokenizer} = await openInferenceModel(dir, request.backend)
  const backend = model instanceof NativeGpt ? 'native' : (await import('@tensorflow/tfjs-core')).getBackend()
  const modelName = request.name ?? basename(dir)
  try {
    const running = await startServer({
      engine: new CompletionEngine(model, tokenizer, request.batchSize),
      modelName,
      modelInfo: {tokenizer: tokenizerIdentity(tokenizer), context_length: model.config.contextLength},
      host: request.host,
      port: request.port,
      apiKey,
    })
    return {
      ...running,
      close: async () => {
        await running.close()
        model.dispose()
      },
      backend,
      modelName,
    }
  } catch (error) {
    model.dispose()
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new InputError(`cannot listen on ${request.host}:${request.port} (${code}); choose another --port or --host.`, {cause: error})
    }
    throw error
  }
}
