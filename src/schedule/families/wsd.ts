import {ceilOfRatio} from '../check.js'
import {SCHEDULE_DEFAULTS} from '../defaults.js'
import type {ScheduleFamily} from '../family.js'
import {resolveMinLr} from './cosine.js'

export interface WsdParams {
  /** Steps at the base rate before the decay (after warmup). */
  stableSteps: number
  decaySteps: number
  decayShape: 'linear' | 'cosine' | 'sqrt'
  minLr: number
}

/** Share of the way from base to min after progress p ∈ [0, 1] of the decay: 1 at p = 0, 0 at p = 1. */
const SHAPES = {
  linear: (p: number) => 1 - p,
  cosine: (p: number) => 0.5 * (1 + Math.cos(Math.PI * p)),
  sqrt: (p: number) => 1 - Math.sqrt(p),
}

/**
 * Warmup-stable-decay (MiniCPM; Hugging Face warmup_stable_decay) after warmup: the base rate for
 * `stableSteps`, then a decay over the last `decaySteps` steps to minLr, held there afterwards.
 *
 * @example wsdLr(1, 9, {stableSteps: 8, decaySteps: 2, decayShape: 'linear', minLr: 0}) // 0.5
 */
export function wsdLr(base: number, t: number, p: WsdParams): number {
  // 1) stable phase
  if (t < p.stableSteps) return base
  // 2) decay phase: p = (t − stable)/decay, which is (D−1)/D at the last step, as in the cosine rule
  const progress = Math.min(1, (t - p.stableSteps) / Math.max(1, p.decaySteps))
  return p.minLr + (base - p.minLr) * SHAPES[p.decayShape](progress)
}

export const wsdFamily: ScheduleFamily = {
  keys: ['decaySteps', 'decayRatio', 'decayShape', 'minLr'],
  build(ctx) {
    const {check, spec} = ctx
    // --decay-steps wins over --decay-ratio, as --warmup-steps wins over --warmup-ratio
    const fromRatio = spec.decaySteps === undefined
    const decayRatio = spec.decayRatio ?? SCHEDULE_DEFAULTS.decayRatio
    const decaySteps = spec.decaySteps ?? ceilOfRatio(decayRatio, ctx.steps)
    if (decaySteps > ctx.innerSteps) {
      const after = `the ${ctx.innerSteps} steps after warmup`
      if (fromRatio) check.fail('decayRatio', `${decayRatio} gives ${decaySteps} decay steps, more than ${after}`)
      check.fail('decaySteps', `${decaySteps} is more than ${after}`)
    }
    const p: WsdParams = {
      stableSteps: ctx.innerSteps - decaySteps,
      decaySteps,
      decayShape: spec.decayShape ?? SCHEDULE_DEFAULTS.decayShape,
      minLr: resolveMinLr(ctx),
    }
    return {params: {...p}, lrAt: (s) => wsdLr(ctx.lr, s, p)}
  },
}
