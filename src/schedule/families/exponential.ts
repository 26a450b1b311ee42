import type {ScheduleFamily} from '../family.js'

/**
 * PyTorch ExponentialLR (closed form): base·γ^t.
 *
 * @example exponentialLr(1, 2, 0.5) // 0.25
 */
export function exponentialLr(base: number, t: number, gamma: number): number {
  return base * gamma ** t
}

export const exponentialFamily: ScheduleFamily = {
  keys: ['gamma'],
  build(ctx) {
    const gamma = ctx.check.need(ctx.spec.gamma, 'gamma', 'exponential', 'the factor applied every step, e.g. 0.99')
    return {params: {gamma}, lrAt: (s) => exponentialLr(ctx.lr, s, gamma)}
  },
}
