import {SCHEDULE_DEFAULTS} from '../defaults.js'
import type {ScheduleFamily} from '../family.js'

/**
 * Hugging Face inverse_sqrt after warmup: base / √((t + τ)/τ), t counted from the end of warmup,
 * so the rate is base when warmup ends and halves by t = 3τ.
 *
 * @example inverseSqrtLr(1, 30, 10) // 0.5
 */
export function inverseSqrtLr(base: number, t: number, timescale: number): number {
  return base * (1 / Math.sqrt((t + timescale) / timescale))
}

export const inverseSqrtFamily: ScheduleFamily = {
  keys: ['timescale'],
  build(ctx) {
    const timescale = ctx.spec.timescale ?? (ctx.warmupSteps > 0 ? ctx.warmupSteps : SCHEDULE_DEFAULTS.timescaleWithoutWarmup)
    return {params: {timescale}, lrAt: (s) => inverseSqrtLr(ctx.lr, s, timescale)}
  },
}
