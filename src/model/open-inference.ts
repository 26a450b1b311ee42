import {prepareNativeEngine} from '../compute/native-engine.js'
import type {InferenceModel} from './inference.js'
import {readModelDir} from './model-files.js'
import {NativeGpt} from './native-gpt.js'
import type {CharTokenizer} from './tokenizer.js'

export interface OpenedModel {
  model: InferenceModel
  tokenizer: CharTokenizer
}

/**
 * A model directory ready for evaluation. With backend `auto` or `native` (or LRGATE_BACKEND
 * when `auto`) and the native addon and OpenBLAS loadable, the native decoder reads the folder
 * directly and tfjs is never imported (it costs about a second of start-up); otherwise the
 * backend is initialised as for training (initBackend) and the tfjs model evaluated with its ops.
 * Errors as initBackend and readModelDir (InputError for a bad folder or backend).
 */
export async function openInferenceModel(dir: string, backend: string): Promise<OpenedModel> {
  const choice = process.env.LRGATE_BACKEND && backend === 'auto' ? process.env.LRGATE_BACKEND : backend
  if (choice === 'auto' || choice === 'native') {
    const engine = prepareNativeEngine()
    if (typeof engine !== 'string') {
      const files = readModelDir(dir)
      return {model: NativeGpt.fromWeights(engine.addon, files.config, files.weights), tokenizer: files.tokenizer}
    }
  }
  const {initBackend} = await import('../compute/backend.js')
  const {loadModel} = await import('./io.js')
  await initBackend(backend)
  const {model, tokenizer} = loadModel(dir)
  const inference = model.inference()
  return {
    model: {
      config: inference.config,
      decoder: (slots) => inference.decoder(slots),
      rowNll: (...args) => inference.rowNll(...args),
      dispose: () => {
        inference.dispose()
        model.dispose()
      },
    },
    tokenizer,
  }
}
