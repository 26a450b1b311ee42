import {flagName, type KeyNamer, ScheduleChecker} from './check.js'
import type {ParamValue} from './family.js'
import {COMMON_KEYS, SCHEDULE_FAMILIES, typesReading} from './registry.js'
import {type ScheduleParamKey, type ScheduleSpec, scheduleSpecSchema, type ScheduleType} from './spec.js'
import {resolveWarmup, type Warmup, warmupLr} from './warmup.js'

/** The run a schedule applies to; each value overrides the spec's (the sweep passes its own). */
export interface ScheduleRun {
  /** Base learning rate. */
  lr?: number
  /** Optimizer steps of the whole run, warmup included. */
  steps?: number
}

/** A checked schedule with every default filled in, and its rate at each step. */
export interface ResolvedSchedule {
  type: ScheduleType
  lr: number
  steps: number
  warmup: Warmup
  /** The type's parameters as used (defaults filled in). */
  params: Readonly<Record<string, ParamValue>>
  /** The rate applied at 0-based optimizer step `step` (any integer ≥ 0; past `steps` the formula continues). */
  lrAt: (step: number) => number
}

export interface ValidateOptions {
  /** How errors name keys: `--step-size` (default) or e.g. configKeyNamer('sweep.schedule'). */
  name?: KeyNamer
}

/**
 * Checks a schedule spec against a run and resolves its defaults. Throws an InputError whose one
 * sentence starts with the flag (or config key) at fault, e.g. "--gamma must be > 0 (got 0)."
 *
 * Warmup composes like PyTorch's SequentialLR: steps 0 … w-1 ramp linearly from warmupStartLr
 * to lr, then the type's own step counter starts at 0, and every length it reads (stepSize,
 * milestones, tMax, t0, totalIters, one-cycle's total, wsd's decay) counts from the end of warmup.
 *
 * @example validateSchedule({type: 'cosine', warmupRatio: 0.1}, {lr: 1e-3, steps: 300}).warmup.steps // 30
 */
export function validateSchedule(spec: ScheduleSpec, run: ScheduleRun = {}, options: ValidateOptions = {}): ResolvedSchedule {
  const check: ScheduleChecker = new ScheduleChecker(options.name ?? flagName)
  const merged = {...spec, lr: run.lr ?? spec.lr, steps: run.steps ?? spec.steps}
  const parsed = scheduleSpecSchema.safeParse(merged)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const key = (issue.path[0] ?? 'type') as ScheduleParamKey | 'type'
    const got = key in merged ? ` (got ${JSON.stringify((merged as Record<string, unknown>)[key])})` : ''
    if (issue.code === 'unrecognized_keys') check.fail('type', `spec has an unknown key "${issue.keys[0]}"`)
    check.fail(key, `${issue.message}${got}`)
  }
  const s = parsed.data
  const family = SCHEDULE_FAMILIES[s.type]

  // 1) the run: a base rate and a length
  const lr = s.lr ?? (s.type === 'one-cycle' ? s.maxLr : undefined)
  if (lr === undefined) check.fail('lr', 'is required (the base learning rate)')
  if (s.steps === undefined) check.fail('steps', 'is required (optimizer steps of the run)')
  const steps = s.steps

  // 2) no parameter the type would silently ignore
  for (const key of Object.keys(s) as (keyof ScheduleSpec)[]) {
    if (key === 'type' || s[key] === undefined || COMMON_KEYS.includes(key) || family.keys.includes(key)) continue
    const readers = typesReading(key).join(', ')
    check.fail(key, `does not apply to ${check.name('type')} ${s.type} (it is read by ${readers})`)
  }

  // 3) warmup, then the type's own schedule on the remaining steps
  const warmup = resolveWarmup(s, lr, steps, check)
  const built = family.build({spec: s, lr, steps, warmupSteps: warmup.steps, innerSteps: steps - warmup.steps, check})
  const lrAt = (step: number): number => {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`schedule step must be an integer ≥ 0, got ${step}`)
    return step < warmup.steps ? warmupLr(lr, step, warmup) : built.lrAt(step - warmup.steps)
  }
  return {type: s.type, lr, steps, warmup, params: built.params, lrAt}
}

/**
 * The rate function of a schedule for one run: what the training loop calls before each step.
 *
 * @example
 * const lrAt = buildSchedule(config.sweep.schedule, {lr: 1e-4, steps: 300})
 * optimizer.lr = lrAt(step) // step = 0, 1, …, 299
 */
export function buildSchedule(spec: ScheduleSpec, run: ScheduleRun = {}, options: ValidateOptions = {}): (step: number) => number {
  return validateSchedule(spec, run, options).lrAt
}

/**
 * The rate at every step of the run: element t is the rate applied at 0-based optimizer step t.
 *
 * @example scheduleValues({type: 'step', stepSize: 2, gamma: 0.5}, {lr: 1, steps: 5}) // [1, 1, 0.5, 0.5, 0.25]
 */
export function scheduleValues(spec: ScheduleSpec, run: ScheduleRun = {}, options: ValidateOptions = {}): number[] {
  const schedule = validateSchedule(spec, run, options)
  return Array.from({length: schedule.steps}, (_, t) => schedule.lrAt(t))
}
