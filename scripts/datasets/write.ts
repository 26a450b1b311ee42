import {createHash} from 'node:crypto'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {RECORD_FIELDS} from '../../src/datasets/schema.js'
import type {DatasetManifest, DatasetRecord} from '../../src/datasets/types.js'

/** A dataset version to write: manifest fields (without `files`), its JSONL files, other files. */
export interface VersionSpec extends Pick<DatasetManifest, 'name' | 'version' | 'description' | 'license' | 'source' | 'cohorts'> {
  /** extra manifest fields (split rule, seed, sources …), written after `files` */
  extra: Record<string, unknown>
  jsonl: Record<string, readonly DatasetRecord[]>
  /** non-JSONL files such as LICENSE.txt (not hashed into the dataset's identity) */
  other: Record<string, string>
}

export interface WrittenVersion {
  dir: string
  ref: string
  bytes: number
  records: number
  cohorts: Record<string, number>
  files: Record<string, string>
}

/** Printable ASCII (the base model's character set); \n is allowed only inside `input` and `context`. */
const ASCII = /^[\x20-\x7e]*$/

/**
 * Writes `<root>/<name>/<version>/` from scratch: JSONL with a fixed key order, manifest.json
 * with every file's sha256. Same spec → same bytes.
 */
export function writeVersion(root: string, spec: VersionSpec): WrittenVersion {
  const dir = join(root, spec.name, spec.version)
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  const files: Record<string, string> = {}
  const cohorts: Record<string, number> = Object.fromEntries(Object.keys(spec.cohorts).map((c) => [c, 0]))
  let bytes = 0
  let records = 0
  for (const name of Object.keys(spec.jsonl).sort()) {
    const body = spec.jsonl[name].map((r) => recordLine(r, `${spec.name}/${name}`) + '\n').join('')
    writeFileSync(join(dir, name), body)
    files[name] = createHash('sha256').update(body).digest('hex')
    bytes += Buffer.byteLength(body)
    for (const r of spec.jsonl[name]) {
      if (!(r.cohort in cohorts)) throw new Error(`${spec.name}/${name}: ${r.id} has undeclared cohort ${r.cohort}`)
      cohorts[r.cohort]++
      records++
    }
  }
  for (const [name, text] of Object.entries(spec.other)) writeFileSync(join(dir, name), text)
  const {name, version, description, license, source} = spec
  const manifest = {name, version, description, license, source, cohorts: spec.cohorts, files, ...spec.extra}
  const manifestText = JSON.stringify(manifest, null, 2) + '\n'
  writeFileSync(join(dir, 'manifest.json'), manifestText)
  return {dir, ref: `${name}@${version}`, bytes: bytes + Buffer.byteLength(manifestText), records, cohorts, files}
}

/** One JSONL line with the fields in the format's order; fails on characters outside printable ASCII. */
function recordLine(record: DatasetRecord, where: string): string {
  const ordered: Record<string, unknown> = {}
  for (const field of RECORD_FIELDS) {
    const value = record[field]
    if (value === undefined) continue
    if (typeof value === 'string' && !ASCII.test(field === 'input' || field === 'context' ? value.replace(/\n/g, '') : value)) {
      throw new Error(`${where}: ${record.id} field ${field} has a character outside printable ASCII: ${JSON.stringify(value)}`)
    }
    ordered[field] = value
  }
  return JSON.stringify(ordered)
}
