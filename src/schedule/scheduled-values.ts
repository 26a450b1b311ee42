import {z} from 'zod'

import {InputError} from '../errors.js'
import {type BatchRamp, batchRampSchema, batchSizeAt} from './batch-ramp.js'
import {validateSchedule} from './build.js'
import {configKeyNamer} from './check.js'
import {scheduleSpecSchema} from './spec.js'

/** A multiplier schedule: any type of `lrgate schedule` whose rate is a factor of the configured value (no lr, no steps). */
export const multiplierScheduleSchema = scheduleSpecSchema.omit({lr: true, steps: true})
export type MultiplierSchedule = z.infer<typeof multiplierScheduleSchema>

/**
 * `sweep.schedules`: the guide's schedulers besides the learning rate. `batchSize` ramps the
 * sequences per step up to sweep.batchSize; `clipNorm` and `weightDecay` multiply sweep.clipNorm
 * and sweep.optimizer.weightDecay by a schedule's value at each step (its base rate taken as 1).
 */
export const scheduledValuesSchema = z
  .object({batchSize: batchRampSchema.optional(), clipNorm: multiplierScheduleSchema.optional(), weightDecay: multiplierScheduleSchema.optional()})
  .strict()
export type ScheduledValuesSpec = z.infer<typeof scheduledValuesSchema>

/** The values a step is trained with besides the lr, each a function of the 0-based optimizer step. */
export interface ScheduledValues {
  batchSizeAt: (step: number) => number
  clipNormAt: (step: number) => number
  weightDecayAt: (step: number) => number
}

/** The configured constants the schedules scale (sweep.batchSize, sweep.clipNorm, sweep.optimizer.weightDecay). */
export interface ConfiguredValues {
  batchSize: number
  clipNorm: number
  weightDecay: number
}

/**
 * Checks `sweep.schedules` against the run and returns the value functions (constants where a key
 * is absent). Throws an InputError naming the config key: a ramp starting above sweep.batchSize, a
 * schedule decided during training (plateau, learned: only the lr has the observations they need),
 * or any bad schedule parameter.
 *
 * @example scheduledValues({weightDecay: {type: 'step', stepSize: 10, gamma: 0.5}}, {batchSize: 8, clipNorm: 1, weightDecay: 0.1}, 30).weightDecayAt(10) // 0.05
 */
export function scheduledValues(spec: ScheduledValuesSpec | undefined, configured: ConfiguredValues, steps: number, prefix = 'sweep.schedules'): ScheduledValues {
  const ramp = spec?.batchSize
  if (ramp && ramp.start > configured.batchSize) {
    throw new InputError(`${prefix}.batchSize.start must be at most sweep.batchSize (${configured.batchSize}), the size the ramp ends at (got ${ramp.start}).`)
  }
  const clip = multiplier(spec?.clipNorm, steps, `${prefix}.clipNorm`)
  const decay = multiplier(spec?.weightDecay, steps, `${prefix}.weightDecay`)
  return {
    batchSizeAt: ramp ? (step) => batchSizeAt(ramp as BatchRamp, configured.batchSize, step) : () => configured.batchSize,
    clipNormAt: (step) => configured.clipNorm * clip(step),
    weightDecayAt: (step) => configured.weightDecay * decay(step),
  }
}

/** A multiplier schedule's factor at each step (1 throughout when absent). */
function multiplier(spec: MultiplierSchedule | undefined, steps: number, key: string): (step: number) => number {
  if (spec === undefined) return () => 1
  if (spec.type === 'plateau' || spec.type === 'learned') {
    throw new InputError(`${key}.type ${spec.type} is decided during training from the validation loss, which only the learning rate is given; use a closed-form type (cosine, linear, step, …).`)
  }
  return validateSchedule({...spec}, {lr: 1, steps}, {name: configKeyNamer(key)}).lrAt
}
