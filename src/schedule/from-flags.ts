import {basename} from 'node:path'

import {InputError} from '../errors.js'
import {flagName, type KeyNamer} from './check.js'
import {type ScheduleParamKey, type ScheduleSpec, scheduleSpecSchema} from './spec.js'

/** Flag values as oclif parses them (kebab-case names, strings). */
export type ScheduleFlagValues = Readonly<Record<string, string | boolean | undefined>>

/** A spec to start from when --type is not given, and where it came from. */
export interface ScheduleFallback {
  spec: ScheduleSpec
  source: string
  /** How errors name the keys that came from it (e.g. `sweep.schedule.gamma`). */
  name?: KeyNamer
}

/** The spec from flags, where it came from, and how to name each key in errors. */
export interface FlagSchedule {
  spec: ScheduleSpec
  source: string
  /** A given flag's name for keys from flags (or absent), the fallback's name for keys from it. */
  name: KeyNamer
}

const LIST_KEYS = new Set<string>(['milestones'])
const TEXT_KEYS = new Set<string>(['type', 'anneal', 'decayShape', 'controller'])
/** Every spec key; each is the flag of the same name in kebab-case. */
export const SCHEDULE_KEYS = Object.keys(scheduleSpecSchema.shape) as (ScheduleParamKey | 'type')[]

/** A number as typed on the command line; blank is NaN so zod reports it rather than reading 0. */
function toNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text)
}

/**
 * Turns `lrgate schedule` flags into a schedule spec, checked by the spec's zod schema. Without
 * --type it starts from `fallback` (the config's sweep.schedule) and the flags given override it.
 * Errors name the flag: "--gamma must be > 0 (got "0")."
 *
 * @example scheduleSpecFromFlags({type: 'step', lr: '0.1', steps: '100', 'step-size': '30'}).spec.stepSize // 30
 */
export function scheduleSpecFromFlags(flags: ScheduleFlagValues, fallback?: ScheduleFallback): FlagSchedule {
  if (flags.type === undefined && fallback === undefined) throw new InputError('--type is required (e.g. --type cosine).')
  const fromFallback = flags.type === undefined && fallback !== undefined
  const raw: Record<string, unknown> = fromFallback ? {...fallback.spec} : {}
  const given: Record<string, string> = {}
  for (const key of SCHEDULE_KEYS) {
    const text = flags[flagName(key).slice(2)]
    if (typeof text !== 'string') continue
    given[key] = text
    raw[key] = TEXT_KEYS.has(key) ? text : LIST_KEYS.has(key) ? text.split(',').map(toNumber) : toNumber(text)
  }
  const parsed = scheduleSpecSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const key = String(issue.path[0] ?? 'type') as ScheduleParamKey
    const got = given[key] === undefined ? '' : ` (got "${given[key]}")`
    const item = issue.path.length > 1 ? ` item ${Number(issue.path[1]) + 1}` : ''
    throw new InputError(`${flagName(key)}${item} ${issue.message}${got}.`)
  }
  if (!fromFallback) return {spec: parsed.data, source: 'flags', name: flagName}
  const fallbackName = fallback.name ?? flagName
  const name: KeyNamer = (key) => (given[key] === undefined && key in fallback.spec ? fallbackName(key) : flagName(key))
  return {spec: parsed.data, source: fallback.source, name}
}

/** The parts of the config's sweep section a fallback reads (the config layer sits above schedule/). */
export interface SweepScheduleSettings {
  schedule: Omit<ScheduleSpec, 'lr' | 'steps'> & Partial<Pick<ScheduleSpec, 'lr' | 'steps'>>
  lrs: readonly number[]
  steps?: number
}

/**
 * The sweep's schedule from config as a starting spec: its lr is the sweep's first candidate and
 * its length the sweep's steps (when set), so `lrgate schedule` alone shows what a sweep will use.
 */
export function sweepScheduleFallback(config: {sweep: SweepScheduleSettings}, file: string | null): ScheduleFallback {
  const spec: ScheduleSpec = {...config.sweep.schedule, lr: config.sweep.lrs[0]}
  if (config.sweep.steps !== undefined) spec.steps = config.sweep.steps
  const where = file === null ? 'the default sweep.schedule' : `sweep.schedule of ${basename(file)}`
  const name: KeyNamer = (key) => (key === 'lr' ? 'sweep.lrs[0]' : key === 'steps' ? 'sweep.steps' : `sweep.schedule.${key}`)
  return {spec, source: `${where}, lr = sweep.lrs[0]`, name}
}
