import {z} from 'zod'

import {formatPath} from '../errors.js'

/** Dataset names and versions become folder names: letters, digits, `.`, `_`, `-`. */
const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
/** Cohort names are matched by globs such as `ood:*`, so no whitespace. */
const COHORT_NAME = /^[^\s*?]+$/
const SHA256 = /^[0-9a-f]{64}$/
/** A JSONL file inside the dataset folder (subfolders allowed, no `..`, no absolute paths). */
const JSONL_FILE = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[^\\]+\.jsonl$/

export const cohortInfoSchema = z.strictObject({
  role: z.enum(['target', 'ood', 'other']),
  description: z.string().min(1),
})

/** manifest.json: the required fields are checked strictly; extra top-level fields are kept. */
export const manifestSchema = z.looseObject({
  name: z.string().regex(FOLDER_NAME, 'must be letters, digits, ".", "_" or "-"'),
  version: z.string().regex(FOLDER_NAME, 'must be letters, digits, ".", "_" or "-"'),
  description: z.string().min(1),
  license: z.string().min(1),
  source: z.string().min(1),
  cohorts: z
    .record(z.string().regex(COHORT_NAME, 'cohort names may not contain whitespace, "*" or "?"'), cohortInfoSchema)
    .refine((c) => Object.keys(c).length > 0, 'declare at least one cohort'),
  files: z
    .record(z.string().regex(JSONL_FILE, 'file names must be relative paths ending in .jsonl'), z.string().regex(SHA256, 'must be the 64-hex-digit lowercase sha256 of the file'))
    .refine((f) => Object.keys(f).length > 0, 'list at least one .jsonl file'),
})

export const RECORD_FIELDS = ['id', 'cohort', 'input', 'reference', 'context', 'text', 'meta'] as const

/** One JSONL line. Unknown fields are refused so a typo such as "refrence" is caught. */
export const recordSchema = z.strictObject({
  id: z.string().min(1),
  cohort: z.string().min(1),
  input: z.string().min(1).optional(),
  reference: z.string().min(1).optional(),
  context: z.string().optional(),
  text: z.string().min(1).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
})

/**
 * The first zod issue as `field "x": what is wrong` (the part after `file:line: `).
 * `value` is the parsed input, used to say what was found instead.
 */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const where = [...issue.path, issue.keys[0]]
    return `field "${formatPath(where)}": unknown field`
  }
  const field = `field "${formatPath(issue.path)}"`
  if (issue.code === 'invalid_type') {
    const found = valueAt(value, issue.path)
    if (found === undefined) return `${field}: missing; it is required (${expectedName(issue.expected)})`
    return `${field}: expected ${expectedName(issue.expected)}, got ${describeValue(found)}`
  }
  if (issue.code === 'invalid_key') return `${field}: ${issue.issues[0]?.message ?? 'not a valid key'}`
  if (issue.code === 'too_small' && issue.origin === 'string') return `${field}: must not be empty`
  if (issue.code === 'invalid_value') return `${field}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(valueAt(value, issue.path))}`
  return `${field}: ${issue.message}`
}

function expectedName(expected: string): string {
  if (expected === 'record') return 'an object'
  if (expected === 'object') return 'an object'
  if (expected === 'array') return 'an array'
  return `a ${expected}`
}

/** A short description of a JSON value for error messages: `number 3`, `an array`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 30 ? value.slice(0, 30) + '…' : value)}`
  return `${typeof value} ${String(value)}`
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = value
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined
    at = (at as Record<PropertyKey, unknown>)[key]
  }
  return at
}
