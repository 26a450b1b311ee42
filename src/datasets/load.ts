import {join} from 'node:path'

import {InputError} from '../errors.js'
import {datasetHash, sha256File} from './hash.js'
import {MANIFEST_FILE, readManifest} from './manifest.js'
import {readRecordsFile} from './records.js'
import {type DatasetRef, displayPath, parseDatasetRef, resolveDatasetDir} from './resolve.js'
import type {Dataset, DatasetManifest, DatasetRecord} from './types.js'

export interface LoadOptions {
  /** where `./datasets` and relative paths are looked up (default: process.cwd()) */
  cwd?: string
}

export interface FileHashMismatch {
  file: string
  expected: string
  actual: string
}

/**
 * Loads a dataset version by `name@version` or path, checking everything before returning:
 * the manifest, every file's sha256, and every line. Records come in file order (sorted file
 * names, so the order is fixed by the content hash) then line order.
 * Any problem → InputError naming file:line:field; nothing is returned half-checked.
 *
 * @example const ds = await loadDataset('example-eval@1'); ds.records.length
 */
export async function loadDataset(ref: string, options: LoadOptions = {}): Promise<Dataset> {
  const cwd = options.cwd ?? process.cwd()
  return loadDatasetDir(resolveDatasetDir(ref, cwd), {cwd, expected: parseDatasetRef(ref) ?? undefined, verifyHint: ref})
}

export interface LoadDirOptions extends LoadOptions {
  /** the name and version the folder must hold (when it was found by name@version) */
  expected?: DatasetRef
  /** what the hash-mismatch message tells the user to verify (default: the folder) */
  verifyHint?: string
}

/** loadDataset for a folder already resolved (see loadDataset for what is checked). */
export async function loadDatasetDir(dir: string, options: LoadDirOptions = {}): Promise<Dataset> {
  const cwd = options.cwd ?? process.cwd()
  const manifest = readManifest(dir, cwd)
  if (options.expected) checkNameAndVersion(options.expected, manifest, dir, cwd)
  const id = `${manifest.name}@${manifest.version}`

  const mismatches = await checkFileHashes(dir, manifest)
  if (mismatches.length > 0) {
    const m = mismatches[0]
    const hint = options.verifyHint ?? displayPath(dir, cwd)
    throw new InputError(
      `${displayPath(join(dir, m.file), cwd)}: sha256 is ${m.actual} but the manifest says ${m.expected}; the file changed after ${id} was made — run \`lrgate datasets verify ${hint}\`, then restore the file or publish the change as a new version.`,
    )
  }
  const records = await readAllRecords(dir, manifest, cwd)
  return {manifest, dir, ref: id, hash: datasetHash(manifest.files), records}
}

/** Recomputes every listed file's sha256; returns the files whose bytes differ from the manifest. */
export async function checkFileHashes(dir: string, manifest: DatasetManifest): Promise<FileHashMismatch[]> {
  const out: FileHashMismatch[] = []
  for (const file of Object.keys(manifest.files).sort()) {
    const actual = await sha256File(join(dir, file))
    if (actual !== manifest.files[file]) out.push({file, expected: manifest.files[file], actual})
  }
  return out
}

/** Streams and validates every line of every listed file (sorted by name). */
export async function readAllRecords(dir: string, manifest: DatasetManifest, cwd = process.cwd()): Promise<DatasetRecord[]> {
  const cohorts = new Set(Object.keys(manifest.cohorts))
  const seen = new Map<string, string>()
  const records: DatasetRecord[] = []
  for (const file of Object.keys(manifest.files).sort()) {
    const path = join(dir, file)
    await readRecordsFile({file: path, shown: displayPath(path, cwd), cohorts, seen, into: records})
  }
  return records
}

/** A folder found by name@version must hold a manifest with that name and version. */
export function checkNameAndVersion(expected: DatasetRef, manifest: DatasetManifest, dir: string, cwd: string): void {
  const shown = displayPath(join(dir, MANIFEST_FILE), cwd)
  const ref = `${expected.name}@${expected.version}`
  for (const field of ['name', 'version'] as const) {
    if (manifest[field] !== expected[field]) {
      throw new InputError(`${shown}: field "${field}": is "${manifest[field]}" but the folder is ${ref}; make the folder name and the manifest agree.`)
    }
  }
}
