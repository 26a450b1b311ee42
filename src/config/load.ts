import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {basename, resolve} from 'node:path'
import type {z} from 'zod'

import {formatPath, InputError} from '../errors.js'
import {parseJsonText, readTextInput, stripBom} from '../util/json-input.js'
import {CONFIG_FILES, DEFAULT_CONFIG} from './defaults.js'
import {closestIssue, plainIssue} from './plain-issue.js'
import {type Config, type ConfigFile, configFileSchema, configSchema} from './schema.js'
import {rememberSource} from './source.js'

export interface LoadedConfig {
  config: Config
  /** The file it came from, or null when only defaults apply. */
  file: string | null
}

/** Finds the config file: the one named, else the first of CONFIG_FILES in `cwd`, else none. */
export function findConfigFile(named: string | undefined, cwd = process.cwd()): string | null {
  if (named !== undefined) {
    const file = resolve(cwd, named)
    if (!existsSync(file)) throw new InputError(`${named}: config file not found; check the --config path.`)
    return file
  }
  for (const name of CONFIG_FILES) {
    const file = resolve(cwd, name)
    if (existsSync(file)) return file
  }
  return null
}

/**
 * Loads and validates the config: file values over DEFAULT_CONFIG. Errors name the file,
 * the line (YAML) and the field.
 */
export function loadConfig(named?: string, cwd = process.cwd()): LoadedConfig {
  const file = findConfigFile(named, cwd)
  if (file === null) return {config: structuredClone(DEFAULT_CONFIG), file: null}
  const text = readTextInput(file, basename(file), 'the config file', 'check --config')
  return {config: parseConfigText(text, file), file}
}

/** Parses config text (YAML or JSON by extension) and merges it over the defaults. */
export function parseConfigText(text: string, file: string): Config {
  const name = basename(file)
  // yaml is required only when a YAML file is read (~50 ms of start-up for every command otherwise).
  const {LineCounter, parseDocument} = createRequire(import.meta.url)('yaml') as typeof import('yaml')
  const lines = new LineCounter()
  let raw: unknown
  let lineOf: (path: readonly PropertyKey[]) => number | undefined = () => undefined
  if (file.endsWith('.json')) {
    raw = parseJsonText(text, name, 'fix the config file')
  } else {
    const doc = parseDocument(stripBom(text), {lineCounter: lines, prettyErrors: false})
    if (doc.errors.length > 0) {
      const first = doc.errors[0]
      const line = lines.linePos(first.pos[0]).line
      throw new InputError(`${name}:${line}: not valid YAML (${first.message.split('\n')[0]}).`)
    }
    raw = doc.toJS() ?? {}
    lineOf = (path) => {
      const node = doc.getIn(path.map(String), true) as {range?: [number, number]} | undefined
      // Unknown keys: point at the parent object, whose key is what the user mistyped.
      const found = node?.range ? node : (doc.getIn(path.slice(0, -1).map(String), true) as typeof node)
      return found?.range ? lines.linePos(found.range[0]).line : undefined
    }
  }

  const parsed = configFileSchema.safeParse(raw)
  if (!parsed.success) throw configError(name, parsed.error, lineOf, raw)
  const merged = mergeConfig(DEFAULT_CONFIG, parsed.data)
  const full = configSchema.safeParse(merged)
  if (!full.success) throw configError(name, full.error, lineOf, merged)
  // Gate rules are checked against the evaluations' metrics only at check time: keep their lines for that error.
  if (parsed.data.gate?.rules !== undefined) {
    for (const [i, rule] of full.data.gate.rules.entries()) {
      const path = ['gate', 'rules', i]
      rememberSource(rule, {file: name, path, lineOf: (key) => lineOf([...path, key])})
    }
  }
  return full.data
}

function configError(
  name: string,
  error: z.ZodError,
  lineOf: (path: readonly PropertyKey[]) => number | undefined,
  raw: unknown,
): InputError {
  const issue = closestIssue(error.issues[0])
  let path = issue.path
  let message = plainIssue(issue, valueAt(raw, issue.path))
  if (issue.code === 'unrecognized_keys') {
    path = [...issue.path, issue.keys[0]]
    message = `unknown key "${issue.keys[0]}"`
  }
  const line = lineOf(path)
  const where = line === undefined ? name : `${name}:${line}`
  const field = path.length > 0 ? ` field "${formatPath(path)}":` : ''
  return new InputError(`${where}:${field} ${message}; fix the config file.`)
}

/** The value at a zod issue path inside parsed config input (undefined when absent). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let here = root
  for (const key of path) {
    if (typeof here !== 'object' || here === null) return undefined
    here = (here as Record<PropertyKey, unknown>)[key]
  }
  return here
}

/** Merges a config file over the defaults: objects merge key by key, lists and schedules replace. */
export function mergeConfig(base: Config, file: ConfigFile): Config {
  const out = structuredClone(base) as unknown as Record<string, unknown>
  mergeInto(out, file as Record<string, unknown>, [])
  return out as unknown as Config
}

const REPLACED_WHOLE = new Set(['sweep.schedule', 'sweep.schedules.clipNorm', 'sweep.schedules.weightDecay', 'sweep.ema'])

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, path: string[]): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue
    const here = [...path, key].join('.')
    const current = target[key]
    if (isPlainObject(value) && isPlainObject(current) && !REPLACED_WHOLE.has(here)) {
      mergeInto(current, value, [...path, key])
    } else {
      target[key] = structuredClone(value)
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
