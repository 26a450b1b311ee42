import {z} from 'zod'

import {scheduledValuesSchema} from '../schedule/scheduled-values.js'
import {scheduleSpecSchema} from '../schedule/spec.js'
import {endpointSchema, evalSchema, gateSchema, generationSchema} from './eval-schema.js'

export const BACKENDS = ['auto', 'tensorflow', 'native', 'cpu'] as const
export type BackendChoice = (typeof BACKENDS)[number]

export const optimizerSchema = z
  .object({
    type: z.enum(['adamw', 'sgd', 'schedulefree-adamw']),
    weightDecay: z.number().nonnegative(),
    beta1: z.number().gte(0).lt(1),
    beta2: z.number().gte(0).lt(1),
    eps: z.number().positive(),
    momentum: z.number().gte(0).lt(1),
  })
  .strict()
export type OptimizerConfig = z.infer<typeof optimizerSchema>

/** The sweep's schedule: a schedule spec whose `lr` and `steps` come from the sweep itself. */
export const sweepScheduleSchema = scheduleSpecSchema.omit({lr: true, steps: true})

/**
 * sweep.ema: an exponential moving average of the trained weights (src/train/ema.ts), evaluated as
 * its own candidate `<candidate>+ema` (alongside) or instead of the raw weights. `warmup`: the decay
 * of update t is min(decay, (1 + t) / (10 + t)) (tf.train.ExponentialMovingAverage's num_updates).
 */
export const emaSchema = z
  .object({
    decay: z.number().gt(0).lt(1),
    warmup: z.boolean().default(true),
    evaluate: z.enum(['alongside', 'instead']).default('alongside'),
  })
  .strict()
export type EmaSettings = z.infer<typeof emaSchema>

/** A LoRA method's settings (src/model/lora.ts); omitted keys take the defaults. */
export const loraMethodSchema = z
  .object({
    type: z.literal('lora'),
    rank: z.number().int().positive().optional(),
    alpha: z.number().positive().optional(),
    targets: z.array(z.enum(['attn', 'mlp'])).min(1).optional(),
    dropout: z.number().gte(0).lt(1).optional(),
  })
  .strict()

/** How a candidate fine-tunes: `full` (every weight), `lora` (adapters, defaults), or an object. */
export const methodSchema = z.union([z.enum(['full', 'lora']), z.object({type: z.literal('full')}).strict(), loraMethodSchema])
export type MethodSetting = z.infer<typeof methodSchema>

export const sweepSchema = z
  .object({
    name: z.string().min(1).optional(),
    lrs: z.array(z.number().positive()).min(1),
    // the remedy grid: candidates are lrs × methods × replay × (trained, and each interpolate < 1) × seeds
    methods: z.array(methodSchema).min(1),
    // share of each fine-tune batch drawn from datasets.replay (rehearsal); 0 = none
    replay: z.array(z.number().gte(0).lt(1)).min(1),
    // WiSE-FT: also evaluate base + alpha (tuned - base) for each alpha < 1 (1 = the tuned model itself)
    interpolate: z.array(z.number().gte(0).lte(1)).min(1),
    // what the recommendation must improve on the model it would replace (base, or gate.baseline such
    // as the promoted model): a metric and a cohort glob (absent: the eval dataset's target cohorts)
    objective: z.object({metric: z.string().min(1), cohorts: z.string().min(1).optional()}).strict(),
    // fine-tunes per configuration, each with its own seed
    seeds: z.number().int().positive(),
    steps: z.number().int().positive().optional(),
    epochs: z.number().positive().optional(),
    batchSize: z.number().int().positive(),
    parallel: z.union([z.literal('auto'), z.number().int().positive()]),
    schedule: sweepScheduleSchema,
    // the guide's other schedulers: a batch-size ramp, clip-norm and weight-decay multipliers (src/schedule/scheduled-values.ts)
    schedules: scheduledValuesSchema.optional(),
    ema: emaSchema.optional(),
    optimizer: optimizerSchema,
    // global-norm clipping; 0 turns it off
    clipNorm: z.number().nonnegative(),
    // validation loss every N optimizer steps
    valEvery: z.number().int().positive(),
    checkpointEvery: z.number().int().positive(),
    // `patience` steps in a row with a loss >= rtol x (and atol nats above) its running mean over
    // `window` steps, or a non-finite loss, is a divergence (src/train/divergence.ts)
    // successive halving of hopeless candidates (src/sweep/halving.ts); off unless enabled
    earlyStopping: z
      .object({
        // auto: on for sweeps of `autoFrom` or more learning rates, where halving pays for its barriers
        enabled: z.union([z.boolean(), z.literal('auto')]),
        autoFrom: z.number().int().positive(),
        minSteps: z.number().int().positive(), // the first rung
        eta: z.number().gt(1), // rungs at minSteps·eta^k; keep the best 1/eta at each
        probeRecords: z.number().int().positive(), // out-of-domain eval records used to measure forgetting
      })
      .strict(),
    divergence: z
      .object({rtol: z.number().gt(1), window: z.number().int().positive(), atol: z.number().nonnegative(), patience: z.number().int().positive()})
      .strict(),
  })
  .strict()

/**
 * An external trainer per candidate (README "Your own trainer"): a command template with
 * placeholders, where its steps come from, and how long one candidate may take (fractions allowed).
 */
export const trainerSchema = z
  .object({
    command: z.string().min(1),
    // jsonl: JSON lines with step and loss on stdout; trainer_state: Hugging Face's trainer_state.json
    log: z.enum(['jsonl', 'trainer_state']).optional(),
    timeoutMinutes: z.number().positive().optional(),
  })
  .strict()
export type TrainerConfig = z.infer<typeof trainerSchema>

export const configSchema = z
  .object({
    seed: z.number().int().nonnegative(),
    backend: z.enum(BACKENDS),
    baseModel: z.string().min(1),
    datasets: z.object({train: z.string().min(1), eval: z.string().min(1), replay: z.string().min(1)}).strict(),
    sweep: sweepSchema,
    trainer: trainerSchema.optional(),
    eval: evalSchema,
    gate: gateSchema,
  })
  .strict()
export type Config = z.infer<typeof configSchema>

/** What a config file may hold: any subset of the config, unknown keys refused. */
export const configFileSchema = configSchema
  .extend({
    datasets: configSchema.shape.datasets.partial(),
    sweep: sweepSchema
      .extend({
        optimizer: optimizerSchema.partial(),
        divergence: sweepSchema.shape.divergence.partial(),
        earlyStopping: sweepSchema.shape.earlyStopping.partial(),
      })
      .partial(),
    eval: evalSchema.extend({generation: generationSchema.partial(), endpoint: endpointSchema.partial()}).partial(),
    gate: gateSchema.partial(),
  })
  .partial()
  .strict()
export type ConfigFile = z.infer<typeof configFileSchema>
