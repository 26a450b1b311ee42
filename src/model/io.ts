import * as tf from '@tensorflow/tfjs-core'
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {z} from 'zod'

import {formatPath, InputError} from '../errors.js'
import {type GptConfig, gptConfigSchema} from './config.js'
import {Gpt, parameterShapes} from './gpt.js'
import {CharTokenizer, tokenizerSchema} from './tokenizer.js'
import {modelDocs} from './reference.js'

/**
 * A model directory in the standard tfjs layout — model.json (weightsManifest) + weights.bin —
 * plus config.json (the GPT shape) and tokenizer.json. Written without tfjs-node (no file://
 * handlers): tf.io.encodeWeights gives the bytes, node:fs writes them.
 */
export const MODEL_FILES = {manifest: 'model.json', weights: 'weights.bin', config: 'config.json', tokenizer: 'tokenizer.json'}

const weightSpecSchema = z.object({name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32')}).passthrough()
const manifestSchema = z
  .object({
    format: z.literal('lrgate-gpt'),
    generatedBy: z.string(),
    weightsManifest: z.array(z.object({paths: z.array(z.string()).length(1), weights: z.array(weightSpecSchema)})).length(1),
    userDefinedMetadata: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough()

export interface LoadedModel {
  model: Gpt
  tokenizer: CharTokenizer
  /** What was stored with the model: how it was trained, from what. */
  metadata: Record<string, unknown>
}

/** Saves weights, shape and tokenizer; replaces `dir` atomically (write beside it, then rename). */
export async function saveModel(dir: string, model: Gpt, tokenizer: CharTokenizer, metadata: Record<string, unknown> = {}): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, {recursive: true, force: true})
  mkdirSync(tmp, {recursive: true})
  const named = parameterShapes(model.config).map(([name]) => ({name, tensor: model.params.get(name)!}))
  const {data, specs} = await tf.io.encodeWeights(named)
  writeFileSync(join(tmp, MODEL_FILES.weights), Buffer.from(data))
  const manifest = {
    format: 'lrgate-gpt',
    generatedBy: 'lrgate',
    convertedBy: null,
    modelTopology: null,
    weightsManifest: [{paths: [MODEL_FILES.weights], weights: specs}],
    userDefinedMetadata: metadata,
  }
  writeFileSync(join(tmp, MODEL_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n')
  writeFileSync(join(tmp, MODEL_FILES.config), JSON.stringify(model.config, null, 2) + '\n')
  writeFileSync(join(tmp, MODEL_FILES.tokenizer), JSON.stringify(tokenizer.toJSON()) + '\n')
  rmSync(dir, {recursive: true, force: true})
  renameSync(tmp, dir)
}

function readJson<T>(dir: string, file: string, schema: z.ZodType<T>): T {
  const path = join(dir, file)
  if (!existsSync(path)) throw new InputError(`${dir}: not an lrgate model directory (${file} is missing); see ${modelDocs()} for the format.`)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message}).`)
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InputError(`${path}: field "${formatPath(issue.path) || '(root)'}": ${issue.message}; the model directory is damaged or not an lrgate model.`)
  }
  return parsed.data
}

/** Loads a model directory; a missing, truncated or mismatched weights file is an InputError. */
export function loadModel(dir: string): LoadedModel {
  if (!existsSync(dir)) throw new InputError(`${dir}: model directory not found.`)
  const manifest = readJson(dir, MODEL_FILES.manifest, manifestSchema)
  const config: GptConfig = readJson(dir, MODEL_FILES.config, gptConfigSchema)
  const tokenizer = CharTokenizer.fromJSON(readJson(dir, MODEL_FILES.tokenizer, tokenizerSchema))
  if (tokenizer.size !== config.vocabSize) {
    throw new InputError(`${dir}: tokenizer.json has ${tokenizer.size} symbols but config.json says vocabSize ${config.vocabSize}.`)
  }
  const group = manifest.weightsManifest[0]
  const weightsPath = join(dir, basename(group.paths[0]))
  if (!existsSync(weightsPath)) throw new InputError(`${weightsPath}: weights file is missing; copy the whole model directory.`)
  const bytes = readFileSync(weightsPath)
  const expected = group.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0)
  if (bytes.length !== expected) {
    throw new InputError(`${weightsPath}: ${bytes.length} bytes but model.json describes ${expected}; the weights file is truncated or corrupt.`)
  }
  for (const [name, shape] of parameterShapes(config)) {
    const spec = group.weights.find((w) => w.name === name)
    if (!spec || spec.shape.join('x') !== shape.join('x')) {
      throw new InputError(`${join(dir, MODEL_FILES.manifest)}: weight "${name}" is ${spec ? `shaped ${spec.shape.join('x')}` : 'missing'}, expected ${shape.join('x')}.`)
    }
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const tensors = tf.io.decodeWeights(buffer, group.weights as tf.io.WeightsManifestEntry[])
  for (const [name, t] of Object.entries(tensors)) {
    const values = t.dataSync()
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        tf.dispose(Object.values(tensors))
        throw new InputError(`${weightsPath}: weight "${name}" holds a non-finite value; the model is corrupt (or diverged).`)
      }
    }
  }
  const model = Gpt.fromWeights(config, new Map(Object.entries(tensors)))
  tf.dispose(Object.values(tensors))
  return {model, tokenizer, metadata: manifest.userDefinedMetadata ?? {}}
}
