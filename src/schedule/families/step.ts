import {SCHEDULE_DEFAULTS} from '../defaults.js'
import type {ScheduleFamily} from '../family.js'

export interface StepParams {
  stepSize: number
  gamma: number
}

/**
 * PyTorch StepLR (closed form): base·γ^⌊t / stepSize⌋.
 *
 * @example stepLr(1, 30, {stepSize: 30, gamma: 0.1}) // 0.1
 */
export function stepLr(base: number, t: number, p: StepParams): number {
  return base * p.gamma ** Math.floor(t / p.stepSize)
}

export const stepFamily: ScheduleFamily = {
  keys: ['stepSize', 'gamma'],
  build(ctx) {
    const p: StepParams = {
      stepSize: ctx.check.need(ctx.spec.stepSize, 'stepSize', 'step', 'the steps between decays'),
      gamma: ctx.spec.gamma ?? SCHEDULE_DEFAULTS.gamma,
    }
    return {params: {...p}, lrAt: (s) => stepLr(ctx.lr, s, p)}
  },
}
