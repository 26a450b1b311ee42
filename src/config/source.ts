import {formatPath} from '../errors.js'

/** Where an object of the loaded config was written: the file, its path in the config, the line of each key. */
export interface ConfigSource {
  /** The config file's name, as config errors show it (e.g. "lrgate.config.yaml"). */
  file: string
  /** The object's path in the config, e.g. ['gate', 'rules', 0]. */
  path: readonly PropertyKey[]
  /** The line of one of its keys (the object's own line when the key is absent; undefined for JSON). */
  lineOf: (key: string) => number | undefined
}

const sources = new WeakMap<object, ConfigSource>()

/** Remembers where a config object came from (loadConfig does this for the file's gate rules). */
export function rememberSource(node: object, source: ConfigSource): void {
  sources.set(node, source)
}

/**
 * How an error about one field of a config object begins, like every config error:
 * `lrgate.config.yaml:10: field "gate.rules[0].metric":`, or null when the object did not come from
 * a config file (defaults, or built in code).
 *
 * @example configFieldWhere(config.gate.rules[0], 'metric') // 'lrgate.config.yaml:10: field "gate.rules[0].metric":'
 */
export function configFieldWhere(node: object, key: string): string | null {
  const source = sources.get(node)
  if (source === undefined) return null
  const line = source.lineOf(key)
  return `${source.file}${line === undefined ? '' : `:${line}`}: field "${formatPath([...source.path, key])}":`
}
