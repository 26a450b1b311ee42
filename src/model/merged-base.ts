import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {basename, join} from 'node:path'

import {ADAPTER_FILES} from './adapter-files.js'
import {readModelDir} from './model-files.js'
import {writeModelDir} from './write-model-dir.js'

/**
 * A LoRA adapter folder as a whole model folder, for what needs one on disk (a sweep's base: its
 * workers, interpolation, external trainers and LoRA on top all read a model folder): the base
 * with the adapter merged in, written once under `cacheRoot` and reused while the adapter and its
 * base are unchanged (the folder name carries a hash of both).
 *
 * @returns the merged model folder: `<cacheRoot>/<adapter folder name>-merged-<hash12>`
 * @throws InputError when the adapter or its base is damaged or missing (readModelDir's messages)
 */
export function mergedModelDir(adapterDir: string, cacheRoot: string): string {
  const merged = readModelDir(adapterDir)
  const adapter = merged.metadata.adapter as {base: string}
  const hash = createHash('sha256')
    .update(readFileSync(join(adapterDir, ADAPTER_FILES.weights)))
    .update(readFileSync(join(adapterDir, ADAPTER_FILES.manifest)))
    .update(readFileSync(join(adapter.base, 'weights.bin')))
    .digest('hex')
    .slice(0, 12)
  const dir = join(cacheRoot, `${basename(adapterDir)}-merged-${hash}`)
  if (!existsSync(join(dir, 'model.json'))) writeModelDir(dir, merged.config, merged.tokenizer, merged.weights, {...merged.metadata, mergedFrom: adapterDir})
  return dir
}
