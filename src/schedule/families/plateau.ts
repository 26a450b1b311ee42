import type {ScheduleFamily} from '../family.js'
import {PLATEAU_DEFAULTS} from '../plateau.js'

/**
 * Reduce-on-plateau (PyTorch ReduceLROnPlateau, mode min, on the validation loss): the rate is
 * decided during training (./adaptive.ts feeds ./plateau.ts each validation loss), so as a pure
 * function of the step it is only the plan before any reduction: the base rate, flat.
 */
export const plateauFamily: ScheduleFamily = {
  keys: ['factor', 'patience', 'threshold', 'cooldown', 'minLr'],
  build(ctx) {
    const {factor = PLATEAU_DEFAULTS.factor, patience = PLATEAU_DEFAULTS.patience, threshold = PLATEAU_DEFAULTS.threshold, cooldown = PLATEAU_DEFAULTS.cooldown, minLr = PLATEAU_DEFAULTS.minLr} = ctx.spec
    if (minLr > ctx.lr) ctx.check.fail('minLr', `must not exceed the base rate ${ctx.lr} (got ${minLr})`)
    return {params: {factor, patience, threshold, cooldown, minLr}, lrAt: () => ctx.lr}
  },
}
