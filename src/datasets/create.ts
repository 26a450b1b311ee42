import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {basename, dirname, extname, join, resolve} from 'node:path'

import {parse} from 'csv-parse/sync'

import {InputError} from '../errors.js'
import {jsonLines, readTextInput} from '../util/json-input.js'
import {datasetHash} from './hash.js'
import {MANIFEST_FILE} from './manifest.js'
import {checkRecord, recordOf} from './records.js'
import {displayPath} from './resolve.js'
import {manifestSchema, RECORD_FIELDS} from './schema.js'
import type {CohortRole, DatasetRecord} from './types.js'

/** `lrgate datasets create`: where the records come from and how they become a dataset version. */
export interface CreateRequest {
  /** a .jsonl (one JSON object per line) or .csv (a header row) file */
  file: string
  name: string
  version: string
  /** the field holding each record's cohort (default "cohort" unless `cohortRule` is given) */
  cohortColumn?: string
  /** every record's cohort: a name (`target:support`) or a template of fields (`ood:{topic}`) */
  cohortRule?: string
  /** the field holding each record's id (default "id"; absent from the file: `<name>-<line>`) */
  idColumn?: string
  /** the folder the version is written under: <out>/<name>/<version> (default ./datasets) */
  out: string
  description?: string
  license?: string
  source?: string
  cwd: string
}

export interface CreatedDataset {
  dir: string
  ref: string
  hash: string
  records: number
  cohorts: Record<string, {role: CohortRole; records: number}>
  files: Record<string, string>
}

/** The JSONL file a created version holds. */
export const CREATED_FILE = 'records.jsonl'

/** A cohort's role from its name: `target:…`, `ood:…`, anything else `other` (docs/datasets.md). */
export function roleOf(cohort: string): CohortRole {
  return cohort.startsWith('target:') ? 'target' : cohort.startsWith('ood:') ? 'ood' : 'other'
}

/**
 * Turns a JSONL or CSV file into an immutable dataset version folder: `records.jsonl` (the records
 * in the format's field order) and `manifest.json` (cohorts with roles from their names, the file's
 * sha256). Every row is validated first; a bad one is an InputError naming file:line and field, and
 * nothing is written. Refuses to overwrite an existing version.
 */
export async function createDataset(request: CreateRequest): Promise<CreatedDataset> {
  const {name, version} = request
  const probe = manifestSchema.shape
  if (!probe.name.safeParse(name).success) throw new InputError(`--name "${name}": must be letters, digits, ".", "_" or "-" (it becomes a folder name).`)
  if (!probe.version.safeParse(version).success) throw new InputError(`--version "${version}": must be letters, digits, ".", "_" or "-" (it becomes a folder name).`)
  if (request.cohortColumn !== undefined && request.cohortRule !== undefined) throw new InputError('give one of --cohort-column and --cohort, not both.')
  const path = resolve(request.cwd, request.file)
  const shown = displayPath(path, request.cwd)
  const dir = resolve(request.cwd, request.out, name, version)
  if (existsSync(dir)) throw new InputError(`${displayPath(dir, request.cwd)} already exists; dataset versions are immutable: choose another --version.`)

  const rows = readRows(path, shown)
  if (rows.length === 0) throw new InputError(`${shown}: no records; the file is empty.`)
  const records: DatasetRecord[] = []
  const seen = new Map<string, string>()
  for (const {line, row} of rows) {
    const where = `${shown}:${line}`
    const record = toRecord(row, where, line, request)
    const first = seen.get(record.id)
    if (first !== undefined) throw new InputError(`${where}: field "${request.idColumn ?? 'id'}": "${record.id}" is already used at ${first}; ids must be unique within a dataset version.`)
    seen.set(record.id, where)
    records.push(record)
  }
  const cohortNames = new Set(records.map((r) => r.cohort))
  for (const [i, r] of records.entries()) checkRecord(r, `${shown}:${rows[i].line}`, cohortNames)

  const body = records.map((r) => JSON.stringify(Object.fromEntries(RECORD_FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, r[f]])))).join('\n') + '\n'
  const sha = createHash('sha256').update(body).digest('hex')
  const cohorts: CreatedDataset['cohorts'] = {}
  for (const r of records) cohorts[r.cohort] = {role: roleOf(r.cohort), records: (cohorts[r.cohort]?.records ?? 0) + 1}
  const manifest = {
    name, version,
    description: request.description ?? `${name} ${version}, made by lrgate datasets create from ${basename(path)}`,
    license: request.license ?? 'unspecified (give --license)',
    source: request.source ?? basename(path),
    cohorts: Object.fromEntries([...cohortNames].sort().map((c) => [c, {role: roleOf(c), description: `${c}: ${cohorts[c].records} records of ${basename(path)}`}])),
    files: {[CREATED_FILE]: sha},
  }
  const checked = manifestSchema.safeParse(manifest)
  if (!checked.success) throw new InputError(`${shown}: ${checked.error.issues[0].path.join('.')}: ${checked.error.issues[0].message}.`)
  // Written beside, then renamed: a version folder is either whole or absent.
  const temp = `${dir}.partial-${process.pid}`
  mkdirSync(temp, {recursive: true})
  try {
    writeFileSync(join(temp, CREATED_FILE), body)
    writeFileSync(join(temp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n')
    mkdirSync(dirname(dir), {recursive: true})
    renameSync(temp, dir)
  } finally {
    rmSync(temp, {recursive: true, force: true})
  }
  return {dir, ref: `${name}@${version}`, hash: datasetHash(manifest.files), records: records.length, cohorts, files: manifest.files}
}

interface Row {
  line: number
  row: Record<string, unknown>
}

/** The file's rows as objects with their 1-based line numbers (CSV: the line a record starts on). */
function readRows(path: string, shown: string): Row[] {
  const ext = extname(path).toLowerCase()
  const text = readTextInput(path, shown, 'the input file', 'check the path')
  if (ext === '.csv') return csvRows(text, shown)
  if (ext === '.jsonl' || ext === '.json' || ext === '.ndjson') {
    return [...jsonLines(text, shown, 'each line must be one JSON object')].map(({line, value}) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InputError(`${shown}:${line}: expected a JSON object per line.`)
      return {line, row: value as Record<string, unknown>}
    })
  }
  throw new InputError(`${shown}: not a .jsonl or .csv file; give one JSON object per line (.jsonl) or a CSV file with a header row.`)
}

function csvRows(text: string, shown: string): Row[] {
  const rows = parseCsv(text, shown)
  if (rows.length === 0) return []
  const [header, ...data] = rows
  const names = header.cells.map((h) => h.trim())
  const dup = names.find((n, i) => names.indexOf(n) !== i)
  if (dup !== undefined) throw new InputError(`${shown}:${header.line}: column "${dup}" appears twice in the header row.`)
  return data
    .filter((r) => !(r.cells.length === 1 && r.cells[0] === ''))
    .map((r) => {
      if (r.cells.length !== names.length) throw new InputError(`${shown}:${r.line}: ${r.cells.length} fields, but the header row names ${names.length}; quote fields that contain commas.`)
      return {line: r.line, row: Object.fromEntries(names.map((n, i) => [n, r.cells[i]]))}
    })
}

/** CSV rows (cells as text) with the line each ends on, parsed by csv-parse (RFC 4180 quoting). */
function parseCsv(text: string, shown: string): Array<{line: number; cells: string[]}> {
  try {
    const parsed = parse(text, {info: true, relax_column_count: true, bom: true, skip_empty_lines: true}) as unknown as Array<{record: string[]; info: {lines: number}}>
    return parsed.map((r) => ({line: r.info.lines, cells: r.record}))
  } catch (error) {
    const e = error as Error & {lines?: number}
    throw new InputError(`${shown}${e.lines === undefined ? '' : `:${e.lines}`}: not valid CSV (${e.message.split('\n')[0]}); check the quoting.`)
  }
}

const TEMPLATE = /\{([^{}]+)\}/g

/** One row as a dataset record: its id, its cohort (column or rule), the record fields, the rest in `meta`. */
function toRecord(row: Record<string, unknown>, where: string, line: number, request: CreateRequest): DatasetRecord {
  const text = (field: string): string | undefined => {
    const v = row[field]
    if (v === undefined || v === null || v === '') return undefined
    if (typeof v === 'string') return v
    if (typeof v === 'number' || typeof v === 'boolean') return String(v)
    throw new InputError(`${where}: field "${field}": expected text, got ${Array.isArray(v) ? 'a list' : 'an object'}.`)
  }
  const idColumn = request.idColumn ?? 'id'
  const id = text(idColumn) ?? (request.idColumn === undefined ? `${request.name}-${String(line).padStart(5, '0')}` : undefined)
  if (id === undefined) throw new InputError(`${where}: field "${idColumn}": missing; every record needs an id in the --id-column "${idColumn}".`)
  let cohort: string | undefined
  let cohortColumn: string | null = null
  if (request.cohortRule !== undefined) {
    cohort = request.cohortRule.replace(TEMPLATE, (_, field: string) => {
      const v = text(field.trim())
      if (v === undefined) throw new InputError(`${where}: field "${field.trim()}": missing; the --cohort rule "${request.cohortRule}" needs it.`)
      return v
    })
  } else {
    cohortColumn = request.cohortColumn ?? 'cohort'
    cohort = text(cohortColumn)
    if (cohort === undefined) throw new InputError(`${where}: field "${cohortColumn}": missing; give each record a cohort in that column, or --cohort <name or rule such as "ood:{topic}">.`)
  }
  if (/[\s*?]/.test(cohort)) throw new InputError(`${where}: field "${cohortColumn ?? 'cohort'}": cohort "${cohort}" contains whitespace, "*" or "?"; cohort names are matched by globs such as "ood:*".`)
  const used = new Set([idColumn, ...(cohortColumn === null ? [] : [cohortColumn]), 'input', 'reference', 'context', 'text', 'meta', 'id', 'cohort'])
  const extra = Object.entries(row).filter(([k, v]) => !used.has(k) && v !== '' && v !== undefined)
  const meta = {...(typeof row.meta === 'object' && row.meta !== null && !Array.isArray(row.meta) ? (row.meta as Record<string, unknown>) : {}), ...Object.fromEntries(extra)}
  const candidate = {
    id, cohort,
    ...(text('input') === undefined ? {} : {input: text('input')}),
    ...(text('reference') === undefined ? {} : {reference: text('reference')}),
    ...(text('context') === undefined ? {} : {context: text('context')}),
    ...(text('text') === undefined ? {} : {text: text('text')}),
    ...(Object.keys(meta).length === 0 ? {} : {meta}),
  }
  return recordOf(candidate, where)
}
