import {join} from 'node:path'

import {InputError} from '../errors.js'
import {type CohortCount, cohortCounts} from './cohorts.js'
import {datasetHash} from './hash.js'
import {checkFileHashes, checkNameAndVersion, readAllRecords} from './load.js'
import {readManifest} from './manifest.js'
import {displayPath, parseDatasetRef, resolveDatasetDir} from './resolve.js'

export interface VerifyReport {
  ref: string
  path: string
  hash: string
  files: Array<{file: string; sha256: string}>
  records: number
  cohorts: Record<string, CohortCount>
}

/**
 * `lrgate datasets verify`: recomputes every file's sha256 (all mismatches are named, not just
 * the first), then validates every line. Throws InputError on any problem.
 *
 * @example const report = await verifyDataset('food-train@1')
 */
export async function verifyDataset(ref: string, cwd = process.cwd()): Promise<VerifyReport> {
  const dir = resolveDatasetDir(ref, cwd)
  const manifest = readManifest(dir, cwd)
  const expected = parseDatasetRef(ref)
  if (expected) checkNameAndVersion(expected, manifest, dir, cwd)
  const mismatches = await checkFileHashes(dir, manifest)
  if (mismatches.length > 0) {
    const each = mismatches.map((m) => `${displayPath(join(dir, m.file), cwd)} (sha256 ${m.actual}, manifest ${m.expected})`)
    throw new InputError(
      `${each.join('; ')}: content does not match manifest.json; restore the original file${mismatches.length > 1 ? 's' : ''}, or publish the change as a new version with updated hashes.`,
    )
  }
  const records = await readAllRecords(dir, manifest, cwd)
  return {
    ref: `${manifest.name}@${manifest.version}`,
    path: dir,
    hash: datasetHash(manifest.files),
    files: Object.keys(manifest.files)
      .sort()
      .map((file) => ({file, sha256: manifest.files[file]})),
    records: records.length,
    cohorts: cohortCounts({manifest, records}),
  }
}
