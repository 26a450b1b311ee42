import {existsSync, readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {z} from 'zod'

import {formatPath, InputError} from '../errors.js'
import {modelDocs} from './reference.js'
import {verifyChecksums} from '../util/checksums.js'
import {type GptConfig, gptConfigSchema, parameterShapes} from './config.js'
import {CharTokenizer, tokenizerSchema} from './tokenizer.js'
import {isAdapterDir, readAdapterDir} from './adapter-files.js'
import {mergeAdapters} from './lora.js'

/**
 * A model directory in the standard tfjs layout — model.json (weightsManifest) + weights.bin —
 * plus config.json (the GPT shape) and tokenizer.json. Read here without tfjs (io.ts builds
 * tensors from it; the native decoder takes the arrays as they are).
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

export interface ModelFiles {
  config: GptConfig
  tokenizer: CharTokenizer
  metadata: Record<string, unknown>
  /** every parameter by name (parameterShapes order), float32 values */
  weights: Map<string, Float32Array>
  shapes: Map<string, number[]>
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

/** What a damaged model folder's error tells the operator to do, unless the caller knows better. */
export const MODEL_REMEDY = 'copy the model folder again from its source, or train it again.'

/**
 * The one loader of a model directory (tfjs, native decoder, serve and checkpoints all read
 * through it): first every file against checksums.json (src/util/checksums.ts; a folder without
 * one loads with a one-line "unverified" warning), then manifest, config and tokenizer against
 * their schemas, the weights file's size, every parameter's shape and finiteness. An adapter
 * folder is read as its (verified) base with the adapters merged in. Any problem is an InputError
 * naming the file; a checksum mismatch ends with `remedy`.
 */
export function readModelDir(dir: string, remedy: string = MODEL_REMEDY): ModelFiles {
  if (!existsSync(dir)) throw new InputError(`${dir}: model directory not found.`)
  if (isAdapterDir(dir)) return readAdaptedDir(dir, remedy)
  verifyChecksums(dir, remedy)
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
  // Weights follow each other in manifest order (tfjs's layout); copy each into its own array.
  const all = new Map<string, Float32Array>()
  let offset = 0
  for (const spec of group.weights) {
    const size = spec.shape.reduce((a, b) => a * b, 1)
    const values = new Float32Array(size)
    Buffer.from(values.buffer).set(bytes.subarray(offset, offset + 4 * size))
    offset += 4 * size
    const bad = values.findIndex((v) => !Number.isFinite(v))
    if (bad >= 0) throw new InputError(`${weightsPath}: weight "${spec.name}" holds a non-finite value; the model is corrupt (or diverged).`)
    all.set(spec.name, values)
  }
  const weights = new Map<string, Float32Array>(), shapes = new Map<string, number[]>()
  for (const [name, shape] of parameterShapes(config)) {
    weights.set(name, all.get(name)!)
    shapes.set(name, shape)
  }
  return {config, tokenizer, metadata: manifest.userDefinedMetadata ?? {}, weights, shapes}
}

/** Only config.json of a model directory (the shape), checked like readModelDir does. */
export function readModelConfig(dir: string): GptConfig {
  return readJson(dir, MODEL_FILES.config, gptConfigSchema)
}

/**
 * An adapter folder (adapter-files.ts) read as a model: its base model with the LoRA weights
 * merged in, so `eval --model` and `serve` take an adapter or a model folder alike.
 */
function readAdaptedDir(dir: string, remedy: string): ModelFiles {
  const adapter = readAdapterDir(dir, readModelConfig, remedy)
  if (isAdapterDir(adapter.base)) throw new InputError(`${join(dir, 'adapter.json')}: its base ${adapter.base} is itself an adapter; point "base" at a model folder.`)
  const base = readModelDir(adapter.base)
  return {
    ...base,
    metadata: {...adapter.metadata, adapter: {dir, base: adapter.base, lora: adapter.lora}},
    weights: mergeAdapters(base.config, adapter.lora, base.weights, adapter.adapters),
  }
}
