import {InputError} from '../errors.js'
import type {ScheduleParamKey} from './spec.js'

/** How an error names a schedule key: `--step-size` on the command line, a config path in a file. */
export type KeyNamer = (key: ScheduleParamKey | 'type') => string

/** Names keys as the `lrgate schedule` flags: `stepSize` → `--step-size`. */
export const flagName: KeyNamer = (key) => `--${key.replaceAll(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

/**
 * Names keys as config paths, for errors in `sweep.schedule`.
 *
 * @example configKeyNamer('sweep.schedule')('stepSize') // 'sweep.schedule.stepSize'
 */
export function configKeyNamer(prefix: string): KeyNamer {
  return (key) => `${prefix}.${key}`
}

/** Throws the InputError of one bad schedule parameter: one sentence that starts with its name. */
export class ScheduleChecker {
  constructor(readonly name: KeyNamer = flagName) {}

  fail(key: ScheduleParamKey | 'type', text: string): never {
    throw new InputError(`${this.name(key)} ${text}.`)
  }

  /** Returns the value, or fails saying which schedule type needs it. */
  need<T>(value: T | undefined, key: ScheduleParamKey, type: string, what: string): T {
    if (value === undefined) this.fail('type', `${type} needs ${this.name(key)} (${what})`)
    return value
  }
}

/** ceil(ratio·steps), ignoring the last-bit noise of the float product (0.07·100 is 7.000000000000001). */
export function ceilOfRatio(ratio: number, steps: number): number {
  const product = ratio * steps
  const nearest = Math.round(product)
  return Math.abs(product - nearest) <= 1e-9 * Math.max(1, product) ? nearest : Math.ceil(product)
}
