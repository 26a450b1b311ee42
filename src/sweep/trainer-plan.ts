import type {Config} from '../config/schema.js'
import {InputError} from '../errors.js'
import {checkTemplate, OUTPUTS_PLACEHOLDERS, TRAINER_PLACEHOLDERS} from '../trainer/template.js'

/** The external trainer of a sweep, resolved (stored with the run, so --resume uses the same). */
export interface TrainerPlan {
  command: string
  log: 'jsonl' | 'trainer_state'
  /** null: no limit */
  timeoutMinutes: number | null
}

/**
 * Sweep options a command template cannot carry: each is refused together with --trainer (exit 2
 * naming both), unless a placeholder for it exists. Other remedies (LoRA, replay, learned schedules)
 * add their entry here.
 */
const NOT_IN_A_TEMPLATE: ReadonlyArray<{flag: string; key: string; active: (config: Config, flags: TrainerFlags) => boolean; why: string}> = [
  {
    flag: '--early-stopping',
    key: 'sweep.earlyStopping.enabled: true',
    active: (config, flags) => (flags['early-stopping'] ?? config.sweep.earlyStopping.enabled) === true,
    why: 'an external trainer cannot pause at a rung for the forgetting probe',
  },
]

export interface TrainerFlags {
  trainer?: string
  'early-stopping'?: boolean
}

/**
 * The trainer from `--trainer` (over the config's `trainer`), checked before anything runs: an
 * unknown placeholder, or an option the template cannot carry, is an InputError. Null: the
 * built-in engine. Also checks `eval.outputsCommand`'s placeholders.
 */
export function planTrainer(config: Config, flags: TrainerFlags): TrainerPlan | null {
  if (config.eval.outputsCommand !== undefined) checkTemplate(config.eval.outputsCommand, OUTPUTS_PLACEHOLDERS, 'eval.outputsCommand')
  const command = flags.trainer ?? config.trainer?.command
  if (command === undefined) return null
  const source = flags.trainer !== undefined ? '--trainer' : 'trainer.command'
  checkTemplate(command, TRAINER_PLACEHOLDERS, source)
  for (const option of NOT_IN_A_TEMPLATE) {
    if (!option.active(config, flags)) continue
    const given = flags['early-stopping'] !== undefined && option.flag === '--early-stopping' ? option.flag : `${option.flag} (${option.key})`
    throw new InputError(`${given} cannot be combined with ${source === '--trainer' ? '--trainer' : '--trainer (trainer.command)'}: ${option.why}; drop one of the two.`)
  }
  return {command, log: config.trainer?.log ?? 'jsonl', timeoutMinutes: config.trainer?.timeoutMinutes ?? null}
}
