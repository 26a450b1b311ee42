import type {z} from 'zod'

/** What a config value looks like written in YAML, for "e.g." hints. */
function shown(value: unknown): string {
  if (typeof value === 'number') return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential().replace(/\.?0+e/, 'e') : String(value)
  if (typeof value === 'string') return value
  return JSON.stringify(value) ?? String(value)
}

function kindOf(value: unknown): string {
  if (value === null) return 'nothing (null)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `the text "${value}"`
  return `the ${typeof value} ${shown(value)}`
}

const plural = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`

/**
 * One validation issue of the config in plain words that say what to write instead, e.g. for
 * `sweep.lrs: 3e-5`: "must be a list, e.g. [3e-5]". `value` is what the file holds at the issue's
 * path (undefined when absent). Messages written by lrgate's own refinements are kept as they are.
 *
 * @example plainIssue({code: 'invalid_type', expected: 'array', path: ['sweep', 'lrs'], message: ''} as never, 3e-5) // "must be a list, e.g. [3e-5]"
 */
export function plainIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) return 'is required here'
      const got = ` (it is ${kindOf(value)})`
      switch (issue.expected) {
        case 'array':
          return `must be a list, e.g. [${value !== null && typeof value !== 'object' ? shown(value) : '…'}]${got}`
        case 'number':
          return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? `must be a number: write ${Number(value)} without quotes` : `must be a number${got}`
        case 'int':
          return `must be a whole number${typeof value === 'number' ? `, e.g. ${Math.round(value)}` : ''}${got}`
        case 'boolean':
          return `must be true or false${got}`
        case 'string':
          return `must be text, e.g. "${shown(value)}"${got}`
        case 'object':
          return `must be a mapping of keys, e.g. {key: value}${got}`
        default:
          return `must be ${issue.expected}${got}`
      }
    }
    case 'too_small': {
      const min = Number(issue.minimum)
      if (issue.origin === 'array') return `must list at least ${plural(min, 'item')}, e.g. [${value !== undefined && Array.isArray(value) && value.length > 0 ? shown(value[0]) : '…'}]`
      if (issue.origin === 'string') return 'must not be empty'
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${min}${typeof value === 'number' ? ` (it is ${value})` : ''}`
    }
    case 'too_big': {
      const max = Number(issue.maximum)
      if (issue.origin === 'array') return `must list at most ${plural(max, 'item')}`
      if (issue.origin === 'string') return `must be at most ${plural(max, 'character')}`
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${max}${typeof value === 'number' ? ` (it is ${value})` : ''}`
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => shown(v)).join(', ')}${value === undefined ? '' : ` (it is ${kindOf(value)})`}`
    case 'invalid_union': {
      // a union with its own message (e.g. the evaluator list's) keeps it
      if (issue.message !== 'Invalid input') return issue.message
      // e.g. `enabled: true | false | auto`: name each alternative's shape
      const options = issue.errors.flatMap((branch) => (branch.length === 1 && branch[0].path.length === 0 ? [alternative(branch[0])] : []))
      if (options.length !== issue.errors.length || options.some((o) => o === null)) return issue.message
      return `must be ${[...new Set(options)].join(' or ')}${value === undefined ? '' : ` (it is ${kindOf(value)})`}`
    }
    case 'invalid_format':
      return `must be ${issue.format}`
    default:
      return issue.message
  }
}

/**
 * The issue to report for a failed union: zod's "Invalid input" names neither the field nor what is
 * wrong, so this descends into the branch closest to the value (e.g. the evaluator object whose
 * `threshold` is not a number, not the list of built-in names) and returns that branch's first issue
 * with its full path. A union with its own message, or whose every branch refuses the value's shape
 * (e.g. `true | false | auto`), is returned as it is.
 *
 * @example closestIssue(unionIssue) // {code: 'invalid_type', expected: 'number', path: ['eval', 'evaluators', 0, 'threshold'], …}
 */
export function closestIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.message !== 'Invalid input' || issue.errors.length === 0) return issue
  const ranked = issue.errors
    .filter((branch) => branch.length > 0)
    .map((branch, order) => ({branch, order, distance: distanceOf(branch)}))
    .filter((b) => b.distance < WRONG_SHAPE)
    .sort((a, b) => a.distance - b.distance || a.branch.length - b.branch.length || a.order - b.order)
  if (ranked.length === 0) return issue
  const first = ranked[0].branch[0]
  return closestIssue({...first, path: [...issue.path, ...first.path]} as z.core.$ZodIssue)
}

/** How far a union branch is from the value: it refuses its shape, it names another kind (a literal `type`/`name` differs), or it nearly fits. */
const WRONG_SHAPE = 2
function distanceOf(branch: readonly z.core.$ZodIssue[]): number {
  if (branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'))) return WRONG_SHAPE
  if (branch.some((i) => i.path.length === 1 && i.code === 'invalid_value')) return 1
  return 0
}

/** One alternative of a union as words ("true or false", "a list", "auto"), or null when it is not a plain shape. */
function alternative(issue: z.core.$ZodIssue): string | null {
  if (issue.code === 'invalid_value') return issue.values.map((v) => shown(v)).join(' or ')
  if (issue.code !== 'invalid_type') return null
  const words: Record<string, string> = {boolean: 'true or false', number: 'a number', int: 'a whole number', array: 'a list', string: 'text', object: 'a mapping of keys'}
  return words[issue.expected] ?? null
}
