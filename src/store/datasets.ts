import {type CohortCount, cohortCounts} from '../datasets/cohorts.js'
import type {Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import {type Store, nowIso, writeTransaction} from './db.js'
import {sql} from './sql.js'

/** A row of the `datasets` table: one dataset version as first seen by this store. */
export interface StoredDataset {
  id: number
  name: string
  version: string
  hash: string
  path: string
  records: number
  cohorts: Record<string, CohortCount>
  firstUsed: string
}

interface DatasetRow {
  id: number
  name: string
  version: string
  hash: string
  path: string
  records: number
  cohorts: string
  first_used: string
}

/**
 * Records that a dataset version was used and returns its id. The first use stores its content
 * hash; a later use of the same name@version with other content is refused (versions are
 * immutable). Idempotent; safe inside an enclosing transaction.
 *
 * @example const datasetId = recordDatasetUse(db, await loadDataset('example-eval@1'))
 */
export function recordDatasetUse(store: Store, dataset: Dataset): number {
  const db = sql(store)
  const {name, version} = dataset.manifest
  return writeTransaction(store, () => {
    const existing = findStoredDataset(store, name, version)
    if (existing !== undefined) {
      if (existing.hash !== dataset.hash) {
        throw new InputError(
          `dataset ${name}@${version}: its content hash is ${dataset.hash} (${dataset.dir}) but this store recorded ${existing.hash} when it was first used (${existing.path}, ${existing.firstUsed}); versions are immutable — give changed data a new version.`,
        )
      }
      return existing.id
    }
    const info = db
      .prepare('INSERT INTO datasets (name, version, hash, path, records, cohorts, first_used) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(name, version, dataset.hash, dataset.dir, dataset.records.length, JSON.stringify(cohortCounts(dataset)), nowIso())
    return Number(info.lastInsertRowid)
  })
}

/** The stored row of name@version, if this store has seen it. */
export function findStoredDataset(store: Store, name: string, version: string): StoredDataset | undefined {
  const db = sql(store)
  const row = db.prepare('SELECT * FROM datasets WHERE name = ? AND version = ?').get(name, version) as DatasetRow | undefined
  return row === undefined ? undefined : fromRow(row)
}

/** The stored dataset with this id (as referenced by evaluations and runs). */
export function getStoredDataset(store: Store, id: number): StoredDataset | undefined {
  const db = sql(store)
  const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined
  return row === undefined ? undefined : fromRow(row)
}

function fromRow(row: DatasetRow): StoredDataset {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    hash: row.hash,
    path: row.path,
    records: row.records,
    cohorts: JSON.parse(row.cohorts) as StoredDataset['cohorts'],
    firstUsed: row.first_used,
  }
}
