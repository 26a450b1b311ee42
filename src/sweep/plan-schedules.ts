import type {Config, EmaSettings} from '../config/schema.js'
import {InputError} from '../errors.js'
import {type ScheduledValues, scheduledValues, type ScheduledValuesSpec} from '../schedule/scheduled-values.js'
import type {SweepPlan} from './plan.js'

/**
 * sweep.schedules and sweep.ema of a sweep's plan, checked before anything runs (InputError, one
 * sentence naming the config keys): an external trainer cannot be handed either (its template has
 * no placeholder for a per-step value or an average); schedule-free AdamW already evaluates an
 * average of its iterates; the schedules are checked against the run's length when it is known
 * (with sweep.epochs, prepareSweep checks them once the data gives the steps).
 *
 * @param run.trainer how the trainer was given ("--trainer", …), or null for the built-in engine
 */
export function planScheduledValues(config: Config, run: {batchSize: number; steps: number | null; trainer: string | null}): {schedules?: ScheduledValuesSpec; ema: EmaSettings | null} {
  const schedules = config.sweep.schedules
  const given = Object.keys(schedules ?? {}).filter((k) => (schedules as Record<string, unknown>)[k] !== undefined)
  const ema = config.sweep.ema ?? null
  if (run.trainer !== null && (given.length > 0 || ema !== null)) {
    const keys = [...given.map((k) => `sweep.schedules.${k}`), ...(ema ? ['sweep.ema'] : [])]
    throw new InputError(`${keys.join(', ')} cannot be combined with ${run.trainer}: per-step schedules besides the lr and weight averages are the built-in engine's, and a command template has no placeholder for them; drop one of the two.`)
  }
  if (ema !== null && config.sweep.optimizer.type === 'schedulefree-adamw') {
    throw new InputError('sweep.ema cannot be combined with sweep.optimizer.type schedulefree-adamw: schedule-free AdamW already evaluates an average of its iterates; drop one of the two.')
  }
  const plan = {...(given.length > 0 ? {schedules} : {}), ema}
  if (run.steps !== null) scheduledValues(plan.schedules, {batchSize: run.batchSize, clipNorm: config.sweep.clipNorm, weightDecay: config.sweep.optimizer.weightDecay}, run.steps)
  return plan
}

/**
 * A plan's scheduled values (batch size, clip norm, weight decay) at each step of a `steps`-step
 * run: what the candidate job trains with, and prepareSweep's check once epochs became steps.
 */
export function planValues(plan: Pick<SweepPlan, 'schedules' | 'batchSize' | 'clipNorm' | 'optimizer'>, steps: number): ScheduledValues {
  return scheduledValues(plan.schedules, {batchSize: plan.batchSize, clipNorm: plan.clipNorm, weightDecay: plan.optimizer.weightDecay}, steps)
}
