import {z} from 'zod'

/** The schedule types of `lrgate schedule --type` (DESIGN.md, CLI contract). */
export const SCHEDULE_TYPES = [
  'constant',
  'linear',
  'cosine',
  'cosine-restarts',
  'step',
  'multistep',
  'exponential',
  'polynomial',
  'inverse-sqrt',
  'one-cycle',
  'wsd',
  'plateau',
  'learned',
] as const
export type ScheduleType = (typeof SCHEDULE_TYPES)[number]

export const ANNEAL_SHAPES = ['cos', 'linear'] as const
export const DECAY_SHAPES = ['linear', 'cosine', 'sqrt'] as const

// Messages are phrased to follow a name: "--gamma must be > 0", "field "sweep.schedule.gamma": must be > 0".
const finite = () => z.number({error: 'must be a finite number'})
const positive = finite().positive('must be > 0')
const nonNegative = finite().nonnegative('must be ≥ 0')
const count = finite().int('must be an integer ≥ 0').nonnegative('must be an integer ≥ 0')
const positiveInt = finite().int('must be an integer ≥ 1').positive('must be an integer ≥ 1')
const fraction = (low: 'open' | 'closed', high: 'open' | 'closed') => {
  const text = `must be in ${low === 'open' ? '(' : '['}0, 1${high === 'open' ? ')' : ']'}`
  const lower = low === 'open' ? finite().gt(0, text) : finite().gte(0, text)
  return high === 'open' ? lower.lt(1, text) : lower.lte(1, text)
}

/**
 * A schedule as written in config (camelCase of the CLI flags, named after PyTorch's arguments).
 * `lr` and `steps` come from the sweep when the spec sits in `sweep.schedule`.
 * Field types and ranges live here; rules that relate fields (required per type, milestones
 * inside the run, warmup shorter than the run) live in `validateSchedule` (./build.ts).
 */
export const scheduleSpecSchema = z
  .object({
    type: z.enum(SCHEDULE_TYPES, {error: `must be one of ${SCHEDULE_TYPES.join(', ')}`}),
    lr: positive.optional(),
    steps: positiveInt.optional(),
    // step / multistep / exponential
    stepSize: positiveInt.optional(),
    gamma: positive.optional(),
    milestones: z.array(count, {error: 'must be a list of integers'}).optional(),
    // cosine / cosine-restarts / polynomial / wsd floor
    tMax: positiveInt.optional(),
    minLr: nonNegative.optional(),
    t0: positiveInt.optional(),
    tMult: positiveInt.optional(),
    // one-cycle
    maxLr: positive.optional(),
    pctStart: fraction('open', 'open').optional(),
    divFactor: positive.optional(),
    finalDivFactor: positive.optional(),
    anneal: z.enum(ANNEAL_SHAPES, {error: 'must be cos or linear'}).optional(),
    // polynomial / linear (PyTorch LinearLR accepts factors in (0, 1] and [0, 1])
    totalIters: positiveInt.optional(),
    power: positive.optional(),
    startFactor: fraction('open', 'closed').optional(),
    endFactor: fraction('closed', 'closed').optional(),
    // inverse-sqrt
    timescale: positiveInt.optional(),
    // wsd (warmup-stable-decay)
    decaySteps: count.optional(),
    decayRatio: fraction('open', 'closed').optional(),
    decayShape: z.enum(DECAY_SHAPES, {error: 'must be linear, cosine or sqrt'}).optional(),
    // plateau (ReduceLROnPlateau on the validation loss; ./plateau.ts)
    factor: fraction('open', 'open').optional(),
    patience: count.optional(),
    threshold: nonNegative.optional(),
    cooldown: count.optional(),
    // learned (the PPO controller; ./learned/): the controller file
    controller: z.string({error: 'must be a file path'}).min(1, 'must be a file path').optional(),
    // warmup wraps any type
    warmupSteps: count.optional(),
    warmupRatio: fraction('closed', 'open').optional(),
    warmupStartLr: nonNegative.optional(),
  })
  .strict()

export type ScheduleSpec = z.infer<typeof scheduleSpecSchema>
/** A spec key other than `type`: every one is also a CLI flag (kebab-case of the key). */
export type ScheduleParamKey = Exclude<keyof ScheduleSpec, 'type'>
