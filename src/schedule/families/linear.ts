import {SCHEDULE_DEFAULTS} from '../defaults.js'
import type {ScheduleFamily} from '../family.js'

export interface LinearParams {
  startFactor: number
  endFactor: number
  totalIters: number
}

/**
 * PyTorch LinearLR (closed form): base·(s + (e − s)·min(t, T)/T), then held at base·e.
 *
 * @example linearLr(1, 5, {startFactor: 1, endFactor: 0, totalIters: 10}) // 0.5
 */
export function linearLr(base: number, t: number, p: LinearParams): number {
  return base * (p.startFactor + ((p.endFactor - p.startFactor) * Math.min(p.totalIters, t)) / p.totalIters)
}

export const linearFamily: ScheduleFamily = {
  keys: ['startFactor', 'endFactor', 'totalIters'],
  build(ctx) {
    const p: LinearParams = {
      startFactor: ctx.spec.startFactor ?? SCHEDULE_DEFAULTS.startFactor,
      endFactor: ctx.spec.endFactor ?? SCHEDULE_DEFAULTS.endFactor,
      totalIters: ctx.spec.totalIters ?? ctx.innerSteps,
    }
    return {params: {...p}, lrAt: (s) => linearLr(ctx.lr, s, p)}
  },
}
