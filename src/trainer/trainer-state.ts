import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {z} from 'zod'

import {asNumber, parsePythonJson, type TrainerStep} from './step-log.js'

/**
 * Hugging Face Trainer's trainer_state.json, the parts lrgate reads. `log_history` holds one entry
 * per log event: training entries (`loss`, `learning_rate`, `grad_norm`), evaluation entries
 * (`eval_loss`, …), and after training a summary (`train_loss`, `train_runtime`, …). Its `step` is
 * the global step *after* the update (1-based); `learning_rate` is the scheduler's rate after that
 * step, i.e. the rate of the next update.
 */
const entrySchema = z.object({step: z.number().int().nonnegative()}).catchall(z.unknown())
export const trainerStateSchema = z
  .object({global_step: z.number().int().nonnegative().optional(), max_steps: z.number().int().optional(), log_history: z.array(z.unknown())})
  .passthrough()

/** A trainer_state.json as lrgate reads it. */
export interface TrainerStateRead {
  file: string
  globalStep: number
  /** training entries as steps (0-based), with the eval loss of the same or a later eval entry attached */
  steps: Array<TrainerStep & {lrStep: number}>
  /** eval entries whose step has no training entry at or before it (nothing to attach them to) */
  unattachedEvals: number
  /** the end-of-training summary entry (it has `train_loss`, an average over the run, not `loss`) */
  summary: {trainLoss: number | null; runtimeSeconds: number | null} | null
}

const num = asNumber

/**
 * Converts a parsed trainer_state.json. Training entry at global step s → lrgate step s−1 (the
 * 0-based index of that update); its `learning_rate` belongs to update s (`lrStep`). An eval-only
 * entry's `eval_loss` goes to the training entry at the same step, else the latest one before it.
 */
export function readTrainerState(value: unknown, file: string): TrainerStateRead | null {
  const parsed = trainerStateSchema.safeParse(value)
  if (!parsed.success) return null
  const steps: TrainerStateRead['steps'] = []
  let summary: TrainerStateRead['summary'] = null
  let unattachedEvals = 0
  const evals: Array<{step: number; loss: number}> = []
  for (const raw of parsed.data.log_history) {
    const entry = entrySchema.safeParse(raw)
    if (!entry.success) continue
    const e = entry.data
    const loss = num(e.loss)
    if (loss !== null) {
      steps.push({step: Math.max(0, e.step - 1), loss, lr: num(e.learning_rate), lrStep: e.step, gradNorm: num(e.grad_norm), valLoss: null})
    } else if (typeof e.train_loss === 'number' || typeof e.train_runtime === 'number') {
      summary = {trainLoss: num(e.train_loss), runtimeSeconds: num(e.train_runtime)}
    }
    const evalLoss = num(e.eval_loss)
    if (evalLoss !== null) evals.push({step: Math.max(0, e.step - 1), loss: evalLoss})
  }
  steps.sort((a, b) => a.step - b.step)
  for (const ev of evals) {
    let target: (typeof steps)[number] | undefined
    for (const s of steps) if (s.step <= ev.step) target = s
    if (target) target.valLoss = ev.loss
    else unattachedEvals += 1
  }
  const globalStep = parsed.data.global_step ?? (steps.at(-1)?.step ?? -1) + 1
  return {file, globalStep, steps, unattachedEvals, summary}
}

/** `checkpoint-<n>` folders in a directory, largest n first. */
export function checkpointFolders(dir: string): Array<{n: number; path: string}> {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {withFileTypes: true})
    .filter((d) => d.isDirectory() && /^checkpoint-\d+$/.test(d.name))
    .map((d) => ({n: Number(d.name.slice('checkpoint-'.length)), path: join(dir, d.name)}))
    .sort((a, b) => b.n - a.n)
}

/**
 * The freshest trainer_state.json of an output folder: `{dir}/trainer_state.json` (written by
 * `trainer.save_state()`) or the newest `checkpoint-*`'s, whichever is further along. Null while
 * there is none, or while the file is being written (it is not written atomically); read again later.
 */
export function latestTrainerState(dir: string): TrainerStateRead | null {
  const files = [join(dir, 'trainer_state.json'), ...checkpointFolders(dir).slice(0, 1).map((c) => join(c.path, 'trainer_state.json'))]
  let best: TrainerStateRead | null = null
  for (const file of files) {
    if (!existsSync(file)) continue
    let value: unknown
    try {
      value = parsePythonJson(readFileSync(file, 'utf8'))
    } catch {
      continue
    }
    const read = readTrainerState(value, file)
    if (read && (best === null || read.globalStep > best.globalStep || (read.globalStep === best.globalStep && read.summary && !best.summary))) best = read
  }
  return best
}
