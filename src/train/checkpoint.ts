import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {z} from 'zod'

import {InputError} from '../errors.js'
import type {Gpt} from '../model/gpt.js'
import {parameterShapes} from '../model/gpt.js'
import {writeAdapterDir} from '../model/adapter-files.js'
import {type LoadedModel, loadAdapted, loadModel, saveModel} from '../model/io.js'
import type {CharTokenizer} from '../model/tokenizer.js'
import {verifyChecksums, writeChecksums} from '../util/checksums.js'
import type {EmaState} from './ema.js'
import type {OptimizerState} from './optimizer.js'
import {parseJsonText} from '../util/json-input.js'
import {replaceDir} from '../util/replace-dir.js'

/**
 * A resumable training state: the model directory, the optimizer's moments and the step.
 * Written to a sibling folder and renamed into place, so a kill leaves the previous checkpoint.
 */
const stateSchema = z.object({
  stepsDone: z.number().int().nonnegative(),
  optimizerStep: z.number().int().nonnegative(),
  /** parameter names in the order their buffers are stored, with which buffers exist */
  buffers: z.array(z.object({name: z.string(), m: z.boolean(), v: z.boolean(), size: z.number().int()})),
  /** schedule-free AdamW's averaging scalars (absent for the other optimizers) */
  scheduleFree: z.object({weightSum: z.number(), lrMax: z.number()}).optional(),
  /** sweep.ema: updates so far and the averages' order in ema.bin (absent without an EMA) */
  ema: z.object({updates: z.number().int().nonnegative(), buffers: z.array(z.object({name: z.string(), size: z.number().int()}))}).optional(),
})

export interface Checkpoint extends LoadedModel {
  stepsDone: number
  optimizer: OptimizerState
  /** the weights' moving average (sweep.ema), when the checkpoint carries one */
  ema?: EmaState
}

/**
 * Writes a checkpoint. A model with LoRA adapters keeps only the adapters (float32, exact) and
 * their optimizer moments; `baseDir` (required then) is the frozen base they adapt. `ema` (sweep.ema)
 * is kept exactly beside the optimizer state (ema.bin), so a resumed run averages on as if never stopped.
 */
export async function saveCheckpoint(dir: string, model: Gpt, tokenizer: CharTokenizer, optimizer: OptimizerState, stepsDone: number, baseDir?: string, ema?: EmaState): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, {recursive: true, force: true})
  try {
    mkdirSync(tmp, {recursive: true})
    const spec = model.loraSpec
    let names: string[]
    if (spec) {
      if (!baseDir) throw new Error('a LoRA checkpoint needs the base model folder')
      const adapters = new Map([...model.adapters].map(([n, v]) => [n, v.dataSync() as Float32Array]))
      writeAdapterDir(join(tmp, 'adapter'), {base: baseDir, lora: spec, config: model.config, adapters, dtype: 'float32', metadata: {checkpoint: {stepsDone}}})
      names = [...model.adapters.keys()]
    } else {
      await saveModel(join(tmp, 'model'), model, tokenizer, {checkpoint: {stepsDone}})
      names = parameterShapes(model.config).map(([name]) => name)
    }
    const trainable = model.trainable()
    const buffers = names.map((name) => {
      const size = trainable.get(name)!.size
      return {name, m: optimizer.m.has(name), v: optimizer.v.has(name), size}
    })
    const parts: Buffer[] = []
    for (const b of buffers) {
      if (b.m) parts.push(Buffer.from(optimizer.m.get(b.name)!.buffer.slice(0)))
      if (b.v) parts.push(Buffer.from(optimizer.v.get(b.name)!.buffer.slice(0)))
    }
    writeFileSync(join(tmp, 'optimizer.bin'), Buffer.concat(parts))
    const emaState = ema ? {updates: ema.updates, buffers: [...ema.averages].map(([name, a]) => ({name, size: a.length}))} : undefined
    if (ema) writeFileSync(join(tmp, 'ema.bin'), Buffer.concat([...ema.averages.values()].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))))
    writeFileSync(join(tmp, 'state.json'), JSON.stringify({stepsDone, optimizerStep: optimizer.step, buffers, ...(optimizer.scheduleFree ? {scheduleFree: optimizer.scheduleFree} : {}), ...(emaState ? {ema: emaState} : {})}) + '\n')
    // model/ (or adapter/) carries its own checksums.json; this one lists the checkpoint's own files.
    writeChecksums(tmp, ['optimizer.bin', 'state.json', ...(ema ? ['ema.bin'] : [])])
    replaceDir(tmp, dir)
  } catch (error) {
    // A full disk or a read-only folder leaves no checkpoint.tmp-<pid> behind; the previous checkpoint stands.
    rmSync(tmp, {recursive: true, force: true})
    throw error
  }
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, 'state.json'))
}

/** Loads a checkpoint, every file verified against its checksums.json; a damaged one is an InputError saying what to do. */
export function loadCheckpoint(dir: string): Checkpoint {
  const remedy = `delete the folder ${dir} to restart this candidate from the base model, then run the command again (lrgate sweep --resume <run>).`
  verifyChecksums(dir, remedy)
  const statePath = join(dir, 'state.json')
  let state: z.infer<typeof stateSchema>
  try {
    state = stateSchema.parse(parseJsonText(readFileSync(statePath, 'utf8'), statePath, 'the checkpoint is damaged'))
  } catch (error) {
    throw new InputError(`${statePath}: unreadable checkpoint (${(error as Error).message.split('\n')[0]}); delete the folder to restart this candidate.`)
  }
  const loaded = existsSync(join(dir, 'adapter')) ? loadAdapted(join(dir, 'adapter'), remedy) : loadModel(join(dir, 'model'), remedy)
  const bytes = readFileSync(join(dir, 'optimizer.bin'))
  const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>()
  let offset = 0
  const take = (size: number): Float32Array => {
    const out = new Float32Array(size)
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + size * 4))
    offset += size * 4
    return out
  }
  for (const b of state.buffers) {
    if (b.m) m.set(b.name, take(b.size))
    if (b.v) v.set(b.name, take(b.size))
  }
  if (offset !== bytes.length) throw new InputError(`${join(dir, 'optimizer.bin')}: size does not match state.json; delete the folder to restart this candidate.`)
  const ema = state.ema ? {updates: state.ema.updates, averages: readEma(join(dir, 'ema.bin'), state.ema.buffers)} : undefined
  return {...loaded, stepsDone: state.stepsDone, optimizer: {step: state.optimizerStep, m, v, ...(state.scheduleFree ? {scheduleFree: {...state.scheduleFree}} : {})}, ...(ema ? {ema} : {})}
}

/** The averages of ema.bin, in the order state.json lists them. */
function readEma(file: string, buffers: ReadonlyArray<{name: string; size: number}>): Map<string, Float32Array> {
  const bytes = readFileSync(file)
  const averages = new Map<string, Float32Array>()
  let offset = 0
  for (const b of buffers) {
    const out = new Float32Array(b.size)
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + b.size * 4))
    averages.set(b.name, out)
    offset += b.size * 4
  }
  if (offset !== bytes.length) throw new InputError(`${file}: size does not match state.json; delete the folder to restart this candidate.`)
  return averages
}
