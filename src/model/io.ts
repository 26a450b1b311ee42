import * as tf from '@tensorflow/tfjs-core'
import {readAdapterDir, writeAdapterDir} from './adapter-files.js'
import {Gpt, parameterShapes} from './gpt.js'
import {MODEL_FILES, MODEL_REMEDY, readModelConfig, readModelDir} from './model-files.js'
import type {CharTokenizer} from './tokenizer.js'
import {writeModelDir} from './write-model-dir.js'

/**
 * Model directories (layout in model-files.ts) as tfjs models. Written without tfjs-node (no
 * file:// handlers): writeModelDir writes the arrays tfjs gives.
 */
export {MODEL_FILES}

export interface LoadedModel {
  model: Gpt
  tokenizer: CharTokenizer
  /** What was stored with the model: how it was trained, from what. */
  metadata: Record<string, unknown>
}

/** Saves weights, shape and tokenizer; replaces `dir` atomically (see writeModelDir). */
export async function saveModel(dir: string, model: Gpt, tokenizer: CharTokenizer, metadata: Record<string, unknown> = {}): Promise<void> {
  const weights = new Map<string, Float32Array>()
  for (const [name] of parameterShapes(model.config)) weights.set(name, (await model.params.get(name)!.data()) as Float32Array)
  writeModelDir(dir, model.config, tokenizer, weights, metadata)
}

/**
 * Loads a model directory (or an adapter folder, merged: see readModelDir); a missing, truncated,
 * changed (checksums.json, see src/util/checksums.ts) or mismatched file is an InputError whose
 * message ends with `remedy`. A folder without checksums.json loads with a one-line "unverified" warning.
 */
export function loadModel(dir: string, remedy = MODEL_REMEDY): LoadedModel {
  const files = readModelDir(dir, remedy)
  const tensors = new Map([...files.weights].map(([name, values]) => [name, tf.tensor(values, files.shapes.get(name)!, 'float32')]))
  const model = Gpt.fromWeights(files.config, tensors)
  tf.dispose([...tensors.values()])
  return {model, tokenizer: files.tokenizer, metadata: files.metadata}
}

/**
 * Saves a fine-tuned model: a plain one as a model folder; one with LoRA adapters attached as a
 * model folder with the adapters merged in (for evaluation and export) and, when `adapter` is
 * given, the adapters alone in `adapter.dir` (float16, a few percent of the model's bytes). The
 * in-memory adapters are set to the values as stored first, so every form gives the same outputs.
 */
export async function saveTuned(dir: string, model: Gpt, tokenizer: CharTokenizer, metadata: Record<string, unknown>, adapter?: {dir: string; base: string}): Promise<void> {
  const spec = model.loraSpec
  if (!spec) return saveModel(dir, model, tokenizer, metadata)
  if (adapter) {
    const values = new Map([...model.adapters].map(([n, v]) => [n, v.dataSync() as Float32Array]))
    const stored = writeAdapterDir(adapter.dir, {base: adapter.base, lora: spec, config: model.config, adapters: values, dtype: 'float16', metadata})
    for (const [name, v] of model.adapters) v.assign(tf.tensor(stored.get(name)!, v.shape))
  }
  const merged = model.merged()
  try {
    await saveModel(dir, merged, tokenizer, {...metadata, ...(adapter ? {adapter: adapter.dir} : {})})
  } finally {
    merged.dispose()
  }
}

/**
 * Loads an adapter folder as a model with its adapters attached (unmerged, trainable): what a
 * LoRA checkpoint resumes from. loadModel of the same folder gives the merged model.
 */
export function loadAdapted(adapterDir: string, remedy = MODEL_REMEDY): LoadedModel {
  const adapter = readAdapterDir(adapterDir, readModelConfig, remedy)
  const loaded = loadModel(adapter.base)
  loaded.model.attachAdapters(adapter.lora, adapter.adapters)
  return {...loaded, metadata: adapter.metadata}
}
