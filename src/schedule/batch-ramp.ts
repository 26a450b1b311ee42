import {z} from 'zod'

/**
 * A batch-size ramp (the guide's batch-size scheduler; GPT-3, Brown et al. 2020 §2.3, "gradually
 * increase the batch size linearly from a small value to the full value"): sequences per step grow
 * linearly from `start` at step 0 to the configured batch size at step `rampSteps`, then stay there.
 */
export const batchRampSchema = z
  .object({
    start: z.number({error: 'must be an integer ≥ 1'}).int('must be an integer ≥ 1').positive('must be an integer ≥ 1'),
    rampSteps: z.number({error: 'must be an integer ≥ 1'}).int('must be an integer ≥ 1').positive('must be an integer ≥ 1'),
  })
  .strict()
export type BatchRamp = z.infer<typeof batchRampSchema>

/**
 * The batch size at 0-based optimizer step `step`: round(start + (full − start) · min(1, step / rampSteps)).
 *
 * @example batchSizeAt({start: 2, rampSteps: 4}, 8, 2) // 5
 */
export function batchSizeAt(ramp: BatchRamp, full: number, step: number): number {
  return Math.round(ramp.start + (full - ramp.start) * Math.min(1, step / ramp.rampSteps))
}
