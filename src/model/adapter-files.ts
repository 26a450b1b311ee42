import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {isAbsolute, join, resolve} from 'node:path'
import {z} from 'zod'

import {formatPath, InputError} from '../errors.js'
import {verifyChecksums, writeChecksums} from '../util/checksums.js'
import type {GptConfig} from './config.js'
import {adapterShapes, type LoraSpec, loraSpecSchema} from './lora.js'
import {halfToFloat, floatToHalf} from './half.js'
import {replaceDir} from '../util/replace-dir.js'

/**
 * An adapter folder: LoRA weights alone, small, pointing at the base model they adapt.
 *   adapter.json  {format: "lrgate-lora", base, baseWeightsSha256, lora: {rank, alpha, targets,
 *                  dropout}, dtype, weights: [{name, shape}], metadata}
 *   adapter.bin   the weights in that order, little-endian float16 (shipped adapters) or float32
 *                 (training checkpoints, so a resumed run continues exactly)
 * `base` is the base model folder (absolute, or relative to the adapter folder); its weights.bin
 * must still hash to baseWeightsSha256, or the adapter would silently adapt another model.
 */
export const ADAPTER_FILES = {manifest: 'adapter.json', weights: 'adapter.bin'}

const adapterManifestSchema = z
  .object({
    format: z.literal('lrgate-lora'),
    base: z.string().min(1),
    baseWeightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
    lora: loraSpecSchema,
    dtype: z.enum(['float16', 'float32']),
    weights: z.array(z.object({name: z.string(), shape: z.array(z.number().int().positive())})),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()

export interface AdapterFolder {
  /** the base model folder, resolved */
  base: string
  baseWeightsSha256: string
  lora: LoraSpec
  adapters: Map<string, Float32Array>
  metadata: Record<string, unknown>
}

/** True when `dir` holds an adapter (adapter.json) rather than a whole model. */
export function isAdapterDir(dir: string): boolean {
  return existsSync(join(dir, ADAPTER_FILES.manifest)) && !existsSync(join(dir, 'model.json'))
}

/** sha256 of a model folder's weights file (hex). */
export function weightsSha256(modelDir: string): string {
  return createHash('sha256').update(readFileSync(join(modelDir, 'weights.bin'))).digest('hex')
}

/**
 * Writes an adapter folder atomically (beside it, then renamed). With dtype float16 the values
 * are rounded to half precision; returns the values as stored (what a reader gets back), so a
 * merged model written next to it can use exactly those.
 */
export function writeAdapterDir(
  dir: string,
  options: {base: string; lora: LoraSpec; config: GptConfig; adapters: ReadonlyMap<string, Float32Array>; dtype: 'float16' | 'float32'; metadata?: Record<string, unknown>},
): Map<string, Float32Array> {
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, {recursive: true, force: true})
  try {
    mkdirSync(tmp, {recursive: true})
    const shapes = adapterShapes(options.config, options.lora)
    const stored = new Map<string, Float32Array>()
    const parts: Buffer[] = []
    for (const [name, shape] of shapes) {
      const values = options.adapters.get(name)
      if (!values || values.length !== shape[0] * shape[1]) throw new Error(`adapter ${name} missing or of the wrong size`)
      if (options.dtype === 'float16') {
        const half = floatToHalf(values)
        parts.push(Buffer.from(half.buffer, half.byteOffset, half.byteLength))
        stored.set(name, halfToFloat(half))
      } else {
        parts.push(Buffer.from(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)))
        stored.set(name, values.slice())
      }
    }
    writeFileSync(join(tmp, ADAPTER_FILES.weights), Buffer.concat(parts))
    const manifest: z.infer<typeof adapterManifestSchema> = {
      format: 'lrgate-lora',
      base: options.base,
      baseWeightsSha256: weightsSha256(options.base),
      lora: options.lora,
      dtype: options.dtype,
      weights: shapes.map(([name, shape]) => ({name, shape})),
      metadata: options.metadata ?? {},
    }
    writeFileSync(join(tmp, ADAPTER_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n')
    writeChecksums(tmp, Object.values(ADAPTER_FILES))
    replaceDir(tmp, dir)
    return stored
  } catch (error) {
    // A full disk or a read-only folder leaves no <dir>.tmp-<pid> behind.
    rmSync(tmp, {recursive: true, force: true})
    throw error
  }
}

/**
 * Reads an adapter folder, its files verified against its checksums.json (a mismatch's message ends
 * with `remedy`), and checks it against its base's config; problems are InputErrors naming the file.
 */
export function readAdapterDir(dir: string, baseConfig: (baseDir: string) => GptConfig, remedy = 'copy the adapter folder again from its source, or train it again.'): AdapterFolder {
  verifyChecksums(dir, remedy)
  const path = join(dir, ADAPTER_FILES.manifest)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message}).`)
  }
  const parsed = adapterManifestSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InputError(`${path}: field "${formatPath(issue.path) || '(root)'}": ${issue.message}; the adapter folder is damaged or not an lrgate adapter.`)
  }
  const m = parsed.data
  const base = isAbsolute(m.base) ? m.base : resolve(dir, m.base)
  if (!existsSync(join(base, 'weights.bin'))) throw new InputError(`${path}: its base model ${base} is not there; restore it (the adapter holds only the LoRA weights).`)
  const hash = weightsSha256(base)
  if (hash !== m.baseWeightsSha256) {
    throw new InputError(`${path}: the base model ${base} changed since the adapter was trained (weights sha256 ${hash.slice(0, 12)}, expected ${m.baseWeightsSha256.slice(0, 12)}); use the merged model folder instead.`)
  }
  const expected = adapterShapes(baseConfig(base), m.lora)
  if (expected.map(([n, s]) => `${n}:${s.join('x')}`).join() !== m.weights.map((w) => `${w.name}:${w.shape.join('x')}`).join()) {
    throw new InputError(`${path}: the weights listed do not fit the base model's shape and the LoRA settings; the adapter belongs to another model.`)
  }
  const bytes = readFileSync(join(dir, ADAPTER_FILES.weights))
  const width = m.dtype === 'float16' ? 2 : 4
  const total = m.weights.reduce((n, w) => n + w.shape[0] * w.shape[1], 0)
  if (bytes.length !== total * width) throw new InputError(`${join(dir, ADAPTER_FILES.weights)}: ${bytes.length} bytes, expected ${total * width}; the adapter is truncated or corrupt.`)
  const adapters = new Map<string, Float32Array>()
  let offset = 0
  for (const w of m.weights) {
    const size = w.shape[0] * w.shape[1]
    const chunk = new Uint8Array(size * width)
    chunk.set(bytes.subarray(offset, offset + size * width))
    offset += size * width
    const values = m.dtype === 'float16' ? halfToFloat(new Uint16Array(chunk.buffer)) : new Float32Array(chunk.buffer)
    if (values.some((v) => !Number.isFinite(v))) throw new InputError(`${join(dir, ADAPTER_FILES.weights)}: weight "${w.name}" holds a non-finite value; the adapter is corrupt (or diverged).`)
    adapters.set(w.name, values)
  }
  return {base, baseWeightsSha256: m.baseWeightsSha256, lora: m.lora, adapters, metadata: m.metadata ?? {}}
}
