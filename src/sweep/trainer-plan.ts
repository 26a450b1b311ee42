import type {Config} from '../config/schema.js'
import {InputError} from '../errors.js'
import {checkTemplate, OUTPUTS_PLACEHOLDERS, SERVE_PLACEHOLDERS, TRAINER_PLACEHOLDERS} from '../trainer/template.js'

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
 * built-in engine. Also checks the evaluation route (evaluationRoute).
 */
export function planTrainer(config: Config, flags: TrainerFlags): TrainerPlan | null {
  evaluationRoute(config.eval)
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

/**
 * How the sweep evaluates its models (the base and every candidate, so both are measured the same
 * way and in the same token units):
 * - `outputs`: `eval.outputsCommand` runs the user's generation script ({model} {dataset} {outputs});
 * - `serve`: `eval.serveCommand` serves each model folder ({model} {port}) and lrgate evaluates it
 *   through the endpoint path (`lrgate eval --endpoint`), then stops the server;
 * - `model`: lrgate loads the model folder itself (the default).
 * Both commands set is an InputError: each is a complete route, and neither silently wins.
 * Unknown placeholders in either are an InputError too.
 */
export type EvaluationRoute = {kind: 'outputs'; template: string} | {kind: 'serve'; template: string} | {kind: 'model'}

export function evaluationRoute(evaluation: Pick<Config['eval'], 'outputsCommand' | 'serveCommand'>): EvaluationRoute {
  const {outputsCommand, serveCommand} = evaluation
  if (outputsCommand !== undefined && serveCommand !== undefined) {
    throw new InputError('eval.outputsCommand and eval.serveCommand are both set: each is a complete way to evaluate the sweep\'s models (your generation script, or a server per model); keep one of them.')
  }
  if (outputsCommand !== undefined) {
    checkTemplate(outputsCommand, OUTPUTS_PLACEHOLDERS, 'eval.outputsCommand')
    return {kind: 'outputs', template: outputsCommand}
  }
  if (serveCommand !== undefined) {
    checkTemplate(serveCommand, SERVE_PLACEHOLDERS, 'eval.serveCommand')
    return {kind: 'serve', template: serveCommand}
  }
  return {kind: 'model'}
}
