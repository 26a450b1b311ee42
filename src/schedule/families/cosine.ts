import {SCHEDULE_DEFAULTS} from '../defaults.js'
import type {FamilyContext, ScheduleFamily} from '../family.js'

export interface CosineParams {
  tMax: number
  minLr: number
}

/**
 * PyTorch CosineAnnealingLR (closed form): min + ½(base − min)(1 + cos(π t / T_max)).
 * Past T_max it rises again, as PyTorch's does; with warmup and the default T_max this is
 * DESIGN.md's warmup+cosine rule, p = (step − warmup)/(total − warmup).
 *
 * @example cosineLr(1, 5, {tMax: 10, minLr: 0}) // 0.5
 */
export function cosineLr(base: number, t: number, p: CosineParams): number {
  return p.minLr + ((base - p.minLr) * (1 + Math.cos((Math.PI * t) / p.tMax))) / 2
}

/** The floor of the cosine-like families: `--min-lr`, at most the base rate. */
export function resolveMinLr(ctx: FamilyContext): number {
  const minLr = ctx.spec.minLr ?? SCHEDULE_DEFAULTS.minLr
  if (minLr > ctx.lr) ctx.check.fail('minLr', `must not exceed ${ctx.check.name('lr')} (got ${minLr} > ${ctx.lr})`)
  return minLr
}

export const cosineFamily: ScheduleFamily = {
  keys: ['tMax', 'minLr'],
  build(ctx) {
    const p: CosineParams = {tMax: ctx.spec.tMax ?? ctx.innerSteps, minLr: resolveMinLr(ctx)}
    return {params: {...p}, lrAt: (s) => cosineLr(ctx.lr, s, p)}
  },
}
