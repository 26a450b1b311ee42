import {existsSync, statSync} from 'node:fs'
import {isAbsolute, join, relative, resolve, sep} from 'node:path'

import {InputError} from '../errors.js'
import {packageRoot} from '../paths.js'

/** `name@version`: the form datasets are referenced by in configs and flags. */
const REF = /^([A-Za-z0-9][A-Za-z0-9._-]*)@([A-Za-z0-9][A-Za-z0-9._-]*)$/

export interface DatasetRef {
  name: string
  version: string
}

/** Splits `food-train@1` into name and version; null when `ref` is not of that form. */
export function parseDatasetRef(ref: string): DatasetRef | null {
  const m = REF.exec(ref)
  return m ? {name: m[1], version: m[2]} : null
}

export interface DatasetRoot {
  dir: string
  source: 'local' | 'shipped'
}

/**
 * The folders `name@version` is looked up in, in order: the working directory's `datasets/`, then
 * the shipped one (just the shipped one when the working directory is lrgate's own folder).
 */
export function datasetRoots(cwd = process.cwd()): DatasetRoot[] {
  const local = resolve(cwd, 'datasets')
  const shipped = join(packageRoot(), 'datasets')
  const roots: DatasetRoot[] = [{dir: shipped, source: 'shipped'}]
  return local === shipped ? roots : [{dir: local, source: 'local'}, ...roots]
}

/**
 * The folder a dataset reference points at.
 * - a path (contains a path separator, or is an existing folder) → that folder;
 * - `name@version` → `./datasets/<name>/<version>` under `cwd`, else the shipped `datasets/<name>/<version>`.
 *
 * @example resolveDatasetDir('food-train@1') // → <package>/datasets/food-train/1
 */
export function resolveDatasetDir(ref: string, cwd = process.cwd()): string {
  const looksLikePath = ref.includes('/') || ref.includes(sep) || ref === '.' || ref === '..'
  const asPath = resolve(cwd, ref)
  if (looksLikePath || isFolder(asPath)) {
    if (!isFolder(asPath)) throw new InputError(`${ref}: dataset folder not found; give a folder holding manifest.json, or a name@version from \`lrgate datasets list\`.`)
    return asPath
  }
  const parsed = parseDatasetRef(ref)
  if (parsed === null) {
    throw new InputError(`${ref}: not a dataset reference; use name@version (see \`lrgate datasets list\`) or a path to a dataset folder.`)
  }
  for (const root of datasetRoots(cwd)) {
    const dir = join(root.dir, parsed.name, parsed.version)
    if (isFolder(dir)) return dir
  }
  throw new InputError(`${ref}: no such dataset under ./datasets or the shipped datasets; run \`lrgate datasets list\` to see the available ones.`)
}

/** A path as messages show it: relative to `cwd` when inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory()
}
