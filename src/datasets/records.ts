import {InputError} from '../errors.js'
import {jsonLines, parseJsonText, readTextInput} from '../util/json-input.js'
import type {DatasetRecord} from './types.js'
import {describeIssue, describeValue, recordSchema} from './schema.js'

export interface ReadRecordsOptions {
  /** the file to read */
  file: string
  /** how messages name it (e.g. datasets/food-train/1/train.jsonl) */
  shown: string
  /** the cohorts manifest.json declares */
  cohorts: ReadonlySet<string>
  /** ids seen so far in this dataset version → where (`file:line`), shared across its files */
  seen: Map<string, string>
  /** records are appended here in line order */
  into: DatasetRecord[]
}

/**
 * Streams one JSONL file and validates every line: JSON object, known and well-typed fields,
 * `input`+`reference` or `text`, a declared cohort, an id not used before in the version.
 * Blank lines are skipped (they still count for line numbers). Returns the number of records.
 */
export async function readRecordsFile(options: ReadRecordsOptions): Promise<number> {
  const {file, shown, cohorts, seen, into} = options
  const text = readTextInput(file, shown, 'the dataset file', 'check the dataset folder')
  let count = 0
  for (const {line, value} of jsonLines(text, shown, 'each line must be one JSON object')) {
    const where = `${shown}:${line}`
    const record = recordOf(value, where)
    checkRecord(record, where, cohorts)
    const first = seen.get(record.id)
    if (first !== undefined) {
      throw new InputError(`${where}: field "id": "${record.id}" is already used at ${first}; ids must be unique within a dataset version.`)
    }
    seen.set(record.id, where)
    into.push(record)
    count++
  }
  if (count === 0) throw new InputError(`${shown}: the file has no records; add records or remove it from the manifest's files.`)
  return count
}

/** Parses one line into a record whose fields have the right types (zod), or throws naming the field. */
export function parseRecordLine(line: string, where: string): DatasetRecord {
  return recordOf(parseJsonText(line, where, 'each line must be one JSON object'), where)
}

/** A parsed line as a record whose fields have the right types (zod), or an InputError naming the field. */
export function recordOf(value: unknown, where: string): DatasetRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${where}: expected a JSON object, got ${describeValue(value)}; each line must be one record object.`)
  }
  const parsed = recordSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const hint = issue.code === 'unrecognized_keys' ? 'the record fields are id, cohort, input, reference, context, text and meta' : 'fix the line'
    throw new InputError(`${where}: ${describeIssue(issue, value)}; ${hint}.`)
  }
  return parsed.data
}

/** The rules zod's shape cannot say: the input/reference/text combination and a declared cohort. */
export function checkRecord(record: DatasetRecord, where: string, cohorts: ReadonlySet<string>): void {
  const hasInput = record.input !== undefined
  const hasReference = record.reference !== undefined
  if (record.text === undefined && !(hasInput && hasReference)) {
    const field = hasInput ? 'reference' : hasReference ? 'input' : 'text'
    throw new InputError(`${where}: field "${field}": missing; a record needs "input" and "reference" (question→answer) or "text" (perplexity only).`)
  }
  if (!cohorts.has(record.cohort)) {
    const declared = [...cohorts].map((c) => `"${c}"`).join(', ')
    throw new InputError(`${where}: field "cohort": "${record.cohort}" is not declared in the manifest's cohorts (${declared}); declare it or fix the record.`)
  }
}
