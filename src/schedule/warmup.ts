import {ceilOfRatio, type ScheduleChecker} from './check.js'
import {SCHEDULE_DEFAULTS} from './defaults.js'
import type {ScheduleSpec} from './spec.js'

export interface Warmup {
  /** Warmup steps: 0 … steps-1 ramp up; the wrapped schedule starts at step `steps`. */
  steps: number
  /** The rate at step 0. */
  startLr: number
}

/**
 * Linear warmup (DESIGN.md): start + (base − start)·step/warmup for step < warmup.
 *
 * @example warmupLr(1e-3, 5, {steps: 10, startLr: 0}) // 5e-4
 */
export function warmupLr(base: number, step: number, warmup: Warmup): number {
  return warmup.startLr + ((base - warmup.startLr) * step) / warmup.steps
}

/**
 * The warmup of a spec: `warmupSteps`, else ceil(warmupRatio·steps), else none. It must leave at
 * least one step for the wrapped schedule, and it ramps up (startLr ≤ lr).
 */
export function resolveWarmup(spec: ScheduleSpec, lr: number, steps: number, check: ScheduleChecker): Warmup {
  const startLr = spec.warmupStartLr ?? SCHEDULE_DEFAULTS.warmupStartLr
  let warmupSteps = 0
  if (spec.warmupSteps !== undefined) {
    warmupSteps = spec.warmupSteps
    if (warmupSteps >= steps) {
      check.fail('warmupSteps', `must be less than ${check.name('steps')} (got ${warmupSteps} of ${steps}); leave at least one step after warmup`)
    }
  } else if (spec.warmupRatio !== undefined) {
    warmupSteps = ceilOfRatio(spec.warmupRatio, steps)
    if (warmupSteps >= steps) {
      check.fail('warmupRatio', `${spec.warmupRatio} gives ${warmupSteps} warmup steps of ${steps}; leave at least one step after warmup`)
    }
  }
  if (spec.warmupStartLr !== undefined && spec.warmupSteps === undefined && spec.warmupRatio === undefined) {
    check.fail('warmupStartLr', `needs ${check.name('warmupSteps')} or ${check.name('warmupRatio')}`)
  }
  if (warmupSteps > 0 && startLr > lr) {
    check.fail('warmupStartLr', `must not exceed ${check.name('lr')} (got ${startLr} > ${lr}); warmup ramps up to the base rate`)
  }
  return {steps: warmupSteps, startLr}
}
