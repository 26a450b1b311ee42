import {SCHEDULE_DEFAULTS} from '../defaults.js'
import type {ScheduleFamily} from '../family.js'

export interface OneCycleParams {
  maxLr: number
  totalSteps: number
  pctStart: number
  divFactor: number
  finalDivFactor: number
  anneal: 'cos' | 'linear'
}

/** OneCycleLR's anneal functions: from `start` (pct 0) to `end` (pct 1). */
const ANNEAL = {
  cos: (start: number, end: number, pct: number) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1),
  linear: (start: number, end: number, pct: number) => (end - start) * pct + start,
}

/**
 * PyTorch OneCycleLR (two phases): from maxLr/divFactor up to maxLr until step pctStart·total − 1,
 * then down to maxLr/divFactor/finalDivFactor at step total − 1. The boundaries are PyTorch's
 * float expressions, so they match exactly even when pctStart·total is not an integer.
 *
 * @example oneCycleLr(10, {maxLr: 1, totalSteps: 10, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4, anneal: 'cos'})
 */
export function oneCycleLr(t: number, p: OneCycleParams): number {
  const initial = p.maxLr / p.divFactor
  const min = initial / p.finalDivFactor
  const anneal = ANNEAL[p.anneal]
  const riseEnd = p.pctStart * p.totalSteps - 1
  const fallEnd = p.totalSteps - 1
  // 1) rising phase, steps 0 … riseEnd (a phase of zero length ends at once: PyTorch divides by zero there)
  if (t <= riseEnd) return riseEnd === 0 ? p.maxLr : anneal(initial, p.maxLr, t / riseEnd)
  // 2) falling phase, riseEnd … total − 1; held at its end value after that
  if (t >= fallEnd) return fallEnd === riseEnd ? min : anneal(p.maxLr, min, 1)
  return anneal(p.maxLr, min, (t - riseEnd) / (fallEnd - riseEnd))
}

export const oneCycleFamily: ScheduleFamily = {
  keys: ['maxLr', 'pctStart', 'divFactor', 'finalDivFactor', 'anneal'],
  build(ctx) {
    const p: OneCycleParams = {
      // the sweep's candidate lr is the peak unless maxLr is set
      maxLr: ctx.spec.maxLr ?? ctx.lr,
      totalSteps: ctx.innerSteps,
      pctStart: ctx.spec.pctStart ?? SCHEDULE_DEFAULTS.pctStart,
      divFactor: ctx.spec.divFactor ?? SCHEDULE_DEFAULTS.divFactor,
      finalDivFactor: ctx.spec.finalDivFactor ?? SCHEDULE_DEFAULTS.finalDivFactor,
      anneal: ctx.spec.anneal ?? SCHEDULE_DEFAULTS.anneal,
    }
    return {params: {...p}, lrAt: (s) => oneCycleLr(s, p)}
  },
}
