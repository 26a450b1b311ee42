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
] as const
export type ScheduleType = (typeof SCHEDULE_TYPES)[number]

const positive = z.number().positive()
const nonNegative = z.number().nonnegative()
const count = z.number().int().nonnegative()

/**
 * A schedule as written in config (camelCase of the CLI flags, named after PyTorch's arguments).
 * `lr` and `steps` come from the sweep when the spec sits in `sweep.schedule`.
 */
export const scheduleSpecSchema = z
  .object({
    type: z.enum(SCHEDULE_TYPES),
    lr: positive.optional(),
    steps: count.optional(),
    // step / multistep / exponential
    stepSize: z.number().int().positive().optional(),
    gamma: positive.optional(),
    milestones: z.array(count).optional(),
    // cosine / cosine-restarts / polynomial / wsd floor
    tMax: z.number().int().positive().optional(),
    minLr: nonNegative.optional(),
    t0: z.number().int().positive().optional(),
    tMult: z.number().int().positive().optional(),
    // one-cycle
    maxLr: positive.optional(),
    pctStart: z.number().gt(0).lt(1).optional(),
    divFactor: positive.optional(),
    finalDivFactor: positive.optional(),
    anneal: z.enum(['cos', 'linear']).optional(),
    // polynomial / linear
    totalIters: z.number().int().positive().optional(),
    power: positive.optional(),
    startFactor: positive.optional(),
    endFactor: nonNegative.optional(),
    // inverse-sqrt
    timescale: z.number().int().positive().optional(),
    // wsd (warmup-stable-decay)
    decaySteps: count.optional(),
    decayRatio: z.number().gt(0).lte(1).optional(),
    decayShape: z.enum(['linear', 'cosine', 'sqrt']).optional(),
    // warmup wraps any type
    warmupSteps: count.optional(),
    warmupRatio: z.number().gte(0).lt(1).optional(),
    warmupStartLr: nonNegative.optional(),
  })
  .strict()

export type ScheduleSpec = z.infer<typeof scheduleSpecSchema>
