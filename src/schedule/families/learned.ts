import type {ScheduleFamily} from '../family.js'

/**
 * The learned controller (../learned/): every `decisionEvery` steps it scales the rate by one of its
 * factors from what training observed, so the rate is decided during training. As a pure function
 * of the step it is only the plan before any decision: the initial rate, flat.
 */
export const learnedFamily: ScheduleFamily = {
  keys: ['controller'],
  build(ctx) {
    if (ctx.warmupSteps > 0) ctx.check.fail(ctx.spec.warmupSteps !== undefined ? 'warmupSteps' : 'warmupRatio', 'does not apply to the learned schedule: the controller decides from the first step')
    const controller = ctx.check.need(ctx.spec.controller, 'controller', 'learned', 'the controller file, e.g. models/controller.json')
    return {params: {controller}, lrAt: () => ctx.lr}
  },
}
