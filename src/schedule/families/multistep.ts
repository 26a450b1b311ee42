import {SCHEDULE_DEFAULTS} from '../defaults.js'
import type {ScheduleFamily} from '../family.js'

export interface MultiStepParams {
  milestones: readonly number[]
  gamma: number
}

/**
 * PyTorch MultiStepLR (closed form): base·γ^(number of milestones ≤ t).
 *
 * @example multistepLr(1, 20, {milestones: [10, 20], gamma: 0.5}) // 0.25
 */
export function multistepLr(base: number, t: number, p: MultiStepParams): number {
  let passed = 0
  while (passed < p.milestones.length && p.milestones[passed] <= t) passed++
  return base * p.gamma ** passed
}

export const multistepFamily: ScheduleFamily = {
  keys: ['milestones', 'gamma'],
  build(ctx) {
    const {check} = ctx
    const milestones = check.need(ctx.spec.milestones, 'milestones', 'multistep', 'the steps where the rate is multiplied by gamma, e.g. 100,200')
    const shown = milestones.join(',')
    if (milestones.length === 0) check.fail('milestones', 'needs at least one step')
    for (let i = 1; i < milestones.length; i++) {
      if (milestones[i] <= milestones[i - 1]) check.fail('milestones', `must be strictly increasing (got ${shown})`)
    }
    const last = milestones.at(-1) as number
    if (last >= ctx.innerSteps) {
      const after = ctx.warmupSteps > 0 ? ` (milestones count from the end of the ${ctx.warmupSteps} warmup steps)` : ''
      check.fail('milestones', `${last} is past the last step ${ctx.innerSteps - 1}${after}`)
    }
    const p: MultiStepParams = {milestones, gamma: ctx.spec.gamma ?? SCHEDULE_DEFAULTS.gamma}
    return {params: {...p}, lrAt: (s) => multistepLr(ctx.lr, s, p)}
  },
}
