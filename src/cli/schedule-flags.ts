import {Flags} from '@oclif/core'

import {ANNEAL_SHAPES, DECAY_SHAPES, SCHEDULE_TYPES} from '../schedule/spec.js'

// Numbers are parsed (and their errors worded) by src/schedule/from-flags.ts, so they are strings here.
export const num = (description: string) => Flags.string({description, helpValue: '<n>'})

/**
 * The schedule flags of `lrgate schedule`, shared with `lrgate sweep` (whose --lr is a list and
 * whose --steps is the sweep's): names are PyTorch's arguments in kebab-case.
 */
export const scheduleFlags = {
    type: Flags.string({description: 'schedule type [default: sweep.schedule.type of the config]', options: [...SCHEDULE_TYPES]}),
    'step-size': num('step: steps between decays'),
    gamma: num('step, multistep, exponential: decay factor [default: 0.1; exponential needs it]'),
    milestones: Flags.string({description: 'multistep: steps where lr is multiplied by gamma, e.g. 100,200', helpValue: '<a,b,c>'}),
    't-max': num('cosine: half-period in steps [default: steps after warmup]'),
    'min-lr': num('cosine, cosine-restarts, polynomial, wsd, plateau: the floor [default: 0]'),
    t0: num('cosine-restarts: length of the first cycle'),
    't-mult': num('cosine-restarts: growth of each next cycle (integer) [default: 1]'),
    'max-lr': num('one-cycle: peak rate [default: --lr]'),
    'pct-start': num('one-cycle: share of steps spent rising [default: 0.3]'),
    'div-factor': num('one-cycle: initial lr = max-lr / div-factor [default: 25]'),
    'final-div-factor': num('one-cycle: final lr = initial lr / final-div-factor [default: 1e4]'),
    anneal: Flags.string({description: 'one-cycle: annealing shape [default: cos]', options: [...ANNEAL_SHAPES]}),
    'total-iters': num('linear, polynomial: steps until the end factor / zero [default: steps after warmup]'),
    power: num('polynomial: exponent [default: 1]'),
    'start-factor': num('linear: factor at the first step, in (0, 1] [default: 1]'),
    'end-factor': num('linear: factor after total-iters, in [0, 1] [default: 0]'),
    timescale: num('inverse-sqrt: lr halves after 3 x timescale steps [default: warmup steps, or 10000]'),
    'decay-steps': num('wsd: steps of the final decay'),
    'decay-ratio': num('wsd: decay steps as a share of --steps, ceil(r x steps) [default: 0.2]'),
    'decay-shape': Flags.string({description: 'wsd: decay shape, sqrt = 1-sqrt(p) [default: cosine]', options: [...DECAY_SHAPES]}),
    factor: num('plateau: the rate is multiplied by this on a plateau, in (0, 1) [default: 0.1]'),
    patience: num('plateau: validations without improvement tolerated before a drop [default: 10]'),
    threshold: num('plateau: relative improvement that counts as better [default: 1e-4]'),
    cooldown: num('plateau: validations to wait after a drop [default: 0]'),
    controller: Flags.string({description: 'learned: the controller file (lrgate controller train; models/controller.json ships one)', helpValue: '<file>'}),
    'warmup-steps': num('linear warmup steps (wins over --warmup-ratio)'),
    'warmup-ratio': num('warmup as a share of --steps, ceil(r x steps)'),
    'warmup-start-lr': num('rate at step 0 of the warmup [default: 0]'),
}
