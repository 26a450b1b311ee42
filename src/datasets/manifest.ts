import {existsSync, readdirSync, readFileSync, realpathSync, statSync} from 'node:fs'
import {join, relative, sep} from 'node:path'

import {InputError} from '../errors.js'
import type {DatasetManifest} from './types.js'
import {describeIssue, manifestSchema} from './schema.js'
import {displayPath} from './resolve.js'

export const MANIFEST_FILE = 'manifest.json'

/**
 * Reads and validates `<dir>/manifest.json`: every required field present and well-typed, every
 * listed file present and really inside the folder (symbolic links resolved: a link to a file
 * outside is refused, never read or hashed), and no .jsonl file in the folder left out of `files`.
 */
export function readManifest(dir: string, cwd = process.cwd()): DatasetManifest {
  const file = join(dir, MANIFEST_FILE)
  const shown = displayPath(file, cwd)
  if (!existsSync(file)) {
    throw new InputError(`${shown}: manifest missing; a dataset folder needs a manifest.json (see docs/datasets.md for the format).`)
  }
  insideFolder(dir, file, cwd)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new InputError(`${shown}: not valid JSON (${(error as Error).message}); fix the manifest.`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${shown}: expected a JSON object with name, version, description, license, source, cohorts and files.`)
  }
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success) throw new InputError(`${shown}: ${describeIssue(parsed.error.issues[0], raw)}; fix the manifest.`)
  const manifest = parsed.data as DatasetManifest

  for (const name of Object.keys(manifest.files)) {
    const path = join(dir, name)
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new InputError(`${shown}: field "files.${name}": the file does not exist in ${displayPath(dir, cwd)}; add it or remove it from the manifest.`)
    }
    insideFolder(dir, path, cwd)
  }
  for (const name of jsonlFilesUnder(dir)) {
    if (!(name in manifest.files)) {
      throw new InputError(`${shown}: field "files": ${name} is in the dataset folder but not in the manifest; add it with its sha256 or move it out.`)
    }
  }
  return manifest
}

/**
 * Refuses a file whose real path (every symbolic link resolved) is outside the dataset folder's
 * real path: a dataset reads only files inside its folder.
 */
function insideFolder(dir: string, file: string, cwd: string): void {
  const root = realpathSync(dir)
  const real = realpathSync(file)
  if (real !== root && !real.startsWith(root + sep)) {
    throw new InputError(`${displayPath(file, cwd)}: a symbolic link to a file outside the dataset folder ${displayPath(dir, cwd)}; a dataset reads only files inside its folder — copy the file in (and update the manifest) instead of linking it.`)
  }
}

/** Every .jsonl file under `dir`, as sorted paths relative to it with `/` separators. */
function jsonlFilesUnder(dir: string): string[] {
  const out: string[] = []
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, {withFileTypes: true})) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.jsonl')) out.push(relative(dir, path).split('\\').join('/'))
    }
  }
  walk(dir)
  return out.sort()
}
