import type {ScheduleChecker} from './check.js'
import type {ScheduleParamKey, ScheduleSpec} from './spec.js'

/** What a schedule family gets to resolve its parameters: the spec and the run it applies to. */
export interface FamilyContext {
  spec: ScheduleSpec
  /** The base learning rate (`--lr`, or the sweep's candidate). */
  lr: number
  /** Optimizer steps of the whole run, warmup included. */
  steps: number
  warmupSteps: number
  /** Steps after warmup: the family's own step counter runs 0 … innerSteps-1. */
  innerSteps: number
  check: ScheduleChecker
}

/** A resolved parameter as shown by `lrgate schedule` (defaults filled in). */
export type ParamValue = number | string | readonly number[]

/** A family with its parameters resolved: the values used and the rate at each inner step. */
export interface BuiltFamily {
  params: Readonly<Record<string, ParamValue>>
  /** lr at inner step s (0 = the first step after warmup). */
  lrAt: (s: number) => number
}

/** One schedule type: the keys it reads, and how it turns a spec into rates. */
export interface ScheduleFamily {
  /** Spec keys this type reads besides lr, steps and the warmup keys. */
  keys: readonly ScheduleParamKey[]
  /** Fills defaults, checks the parameters (InputError naming the key), returns the rate function. */
  build(ctx: FamilyContext): BuiltFamily
}
