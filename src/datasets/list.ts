import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import {InputError} from '../errors.js'
import {type CohortCount, cohortCounts} from './cohorts.js'
import {loadDatasetDir} from './load.js'
import {datasetRoots, parseDatasetRef} from './resolve.js'

export interface DatasetListing {
  name: string
  version: string
  /** `name@version` */
  ref: string
  path: string
  /** `local`: under ./datasets; `shipped`: with lrgate */
  source: 'local' | 'shipped'
  /** a shipped version that a local folder of the same name@version hides from `name@version` */
  shadowed: boolean
  status: 'ok' | 'invalid'
  /** why it is invalid (the loader's message) */
  error?: string
  records?: number
  cohorts?: Record<string, CohortCount>
  hash?: string
}

/**
 * Every dataset version under ./datasets (of `cwd`) and the shipped ones, each fully checked
 * (manifest, hashes, every line); a broken one is listed as invalid with the reason.
 * Local ones come first; within a source, by name then version.
 *
 * @example (await listDatasets()).map((d) => d.ref) // ['example-eval@1', 'example-pretrain@1', 'food-train@1']
 */
export async function listDatasets(cwd = process.cwd()): Promise<DatasetListing[]> {
  const out: DatasetListing[] = []
  const seen = new Set<string>()
  for (const {dir: root, source} of datasetRoots(cwd)) {
    for (const {name, version, dir} of versionFolders(root)) {
      const ref = `${name}@${version}`
      const listing: DatasetListing = {name, version, ref, path: dir, source, shadowed: seen.has(ref), status: 'ok'}
      seen.add(ref)
      try {
        const dataset = await loadDatasetDir(dir, {cwd, expected: {name, version}, verifyHint: dir})
        listing.records = dataset.records.length
        listing.cohorts = cohortCounts(dataset)
        listing.hash = dataset.hash
      } catch (error) {
        if (!(error instanceof InputError)) throw error
        listing.status = 'invalid'
        listing.error = error.message
      }
      out.push(listing)
    }
  }
  return out
}

/** `<root>/<name>/<version>/` folders whose names could be a `name@version`, sorted. */
function versionFolders(root: string): Array<{name: string; version: string; dir: string}> {
  if (!existsSync(root)) return []
  const out: Array<{name: string; version: string; dir: string}> = []
  for (const name of subfolders(root)) {
    for (const version of subfolders(join(root, name))) {
      if (parseDatasetRef(`${name}@${version}`) !== null) out.push({name, version, dir: join(root, name, version)})
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.version.localeCompare(b.version, 'en', {numeric: true}))
}

function subfolders(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true})
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
}
