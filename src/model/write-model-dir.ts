import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {writeChecksums} from '../util/checksums.js'
import {type GptConfig, parameterShapes} from './config.js'
import {MODEL_FILES} from './model-files.js'
import type {CharTokenizer} from './tokenizer.js'
import {replaceDir} from '../util/replace-dir.js'

/**
 * Writes a model directory (layout in model-files.ts) from plain arrays, without tfjs: weights.bin
 * holds every parameter as float32 in parameterShapes order (tfjs's weightsManifest layout), with
 * checksums.json. Replaces `dir` atomically (written beside it, then renamed); a failure (full
 * disk, read-only folder) leaves nothing behind and the previous folder, if any, stands.
 *
 * @param weights every parameter by name, float32 values of parameterShapes(config)'s sizes
 * @throws Error when a parameter is missing or of the wrong size
 */
export function writeModelDir(dir: string, config: GptConfig, tokenizer: CharTokenizer, weights: ReadonlyMap<string, Float32Array>, metadata: Record<string, unknown> = {}): void {
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, {recursive: true, force: true})
  try {
    mkdirSync(tmp, {recursive: true})
    const specs = parameterShapes(config).map(([name, shape]) => ({name, shape, dtype: 'float32' as const}))
    const parts = specs.map(({name, shape}) => {
      const values = weights.get(name)
      if (!values || values.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`weight ${name} missing or of the wrong size`)
      return Buffer.from(values.buffer, values.byteOffset, values.byteLength)
    })
    writeFileSync(join(tmp, MODEL_FILES.weights), Buffer.concat(parts))
    const manifest = {
      format: 'lrgate-gpt',
      generatedBy: 'lrgate',
      convertedBy: null,
      modelTopology: null,
      weightsManifest: [{paths: [MODEL_FILES.weights], weights: specs}],
      userDefinedMetadata: metadata,
    }
    writeFileSync(join(tmp, MODEL_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n')
    writeFileSync(join(tmp, MODEL_FILES.config), JSON.stringify(config, null, 2) + '\n')
    writeFileSync(join(tmp, MODEL_FILES.tokenizer), JSON.stringify(tokenizer.toJSON()) + '\n')
    writeChecksums(tmp, Object.values(MODEL_FILES))
    replaceDir(tmp, dir)
  } catch (error) {
    rmSync(tmp, {recursive: true, force: true})
    throw error
  }
}
