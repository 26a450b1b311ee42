import {SCHEDULE_DEFAULTS} from '../defaults.js'
import type {ScheduleFamily} from '../family.js'
import {resolveMinLr} from './cosine.js'

export interface PolynomialParams {
  totalIters: number
  power: number
  minLr: number
}

/**
 * PyTorch PolynomialLR with Hugging Face's `lr_end` as minLr:
 * (base − min)·(1 − min(t, T)/T)^power + min. With minLr 0 this is PyTorch's closed form.
 *
 * @example polynomialLr(1, 5, {totalIters: 10, power: 2, minLr: 0}) // 0.25
 */
export function polynomialLr(base: number, t: number, p: PolynomialParams): number {
  return (base - p.minLr) * (1 - Math.min(p.totalIters, t) / p.totalIters) ** p.power + p.minLr
}

export const polynomialFamily: ScheduleFamily = {
  keys: ['totalIters', 'power', 'minLr'],
  build(ctx) {
    const p: PolynomialParams = {
      totalIters: ctx.spec.totalIters ?? ctx.innerSteps,
      power: ctx.spec.power ?? SCHEDULE_DEFAULTS.power,
      minLr: resolveMinLr(ctx),
    }
    return {params: {...p}, lrAt: (s) => polynomialLr(ctx.lr, s, p)}
  },
}
