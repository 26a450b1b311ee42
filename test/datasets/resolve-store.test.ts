import assert from 'node:assert/strict'
import {cpSync, mkdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {loadDataset} from '../../src/datasets/load.js'
import {resolveDatasetDir} from '../../src/datasets/resolve.js'
import {InputError} from '../../src/errors.js'
import {packageRoot} from '../../src/paths.js'
import {openStore} from '../../src/store/db.js'
import {findStoredDataset, recordDatasetUse} from '../../src/store/datasets.js'
import {copyFixture, FIXTURE, FIXTURE_ROOT, replaceLine} from './helpers.js'
import {sql} from '../../src/store/sql.js'

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'lrgate-ds-'))

describe('resolveDatasetDir', () => {
  it('name@version: ./datasets under cwd first, then the shipped datasets', () => {
    assert.equal(resolveDatasetDir('tiny-eval@1', FIXTURE_ROOT), FIXTURE)
    const cwd = tempDir()
    assert.equal(resolveDatasetDir('food-train@1', cwd), join(packageRoot(), 'datasets', 'food-train', '1'))
    // A local copy of the same name@version wins over the shipped one.
    const local = join(cwd, 'datasets', 'food-train', '1')
    mkdirSync(local, {recursive: true})
    assert.equal(resolveDatasetDir('food-train@1', cwd), local)
  })

  it('a path (with a separator, or an existing folder) is taken as the folder', () => {
    const cwd = tempDir()
    cpSync(FIXTURE, join(cwd, 'mine'), {recursive: true})
    assert.equal(resolveDatasetDir('./mine', cwd), join(cwd, 'mine'))
    assert.equal(resolveDatasetDir('mine', cwd), join(cwd, 'mine'))
    assert.equal(resolveDatasetDir(FIXTURE, '/'), FIXTURE)
  })

  it('unknown references say how to see the available ones', () => {
    const cwd = tempDir()
    assert.throws(
      () => resolveDatasetDir('nope@1', cwd),
      new InputError('nope@1: no such dataset under ./datasets or the shipped datasets; run `lrgate datasets list` to see the available ones.'),
    )
    assert.throws(
      () => resolveDatasetDir('./missing/folder', cwd),
      new InputError('./missing/folder: dataset folder not found; give a folder holding manifest.json, or a name@version from `lrgate datasets list`.'),
    )
    assert.throws(
      () => resolveDatasetDir('food-train', cwd),
      new InputError('food-train: not a dataset reference; use name@version (see `lrgate datasets list`) or a path to a dataset folder.'),
    )
  })
})

describe('recordDatasetUse', () => {
  it('stores name, version, hash, path, records and per-cohort counts once, and is idempotent', async () => {
    const db = openStore(':memory:')
    const ds = await loadDataset(FIXTURE)
    const id = recordDatasetUse(db, ds)
    assert.equal(recordDatasetUse(db, ds), id)
    assert.equal(sql(db).prepare('SELECT count(*) FROM datasets').pluck().get(), 1)
    const stored = findStoredDataset(db, 'tiny-eval', '1')!
    assert.equal(stored.id, id)
    assert.equal(stored.hash, ds.hash)
    assert.equal(stored.path, FIXTURE)
    assert.equal(stored.records, 4)
    assert.deepEqual(stored.cohorts, {
      'target:food': {role: 'target', records: 2},
      'ood:animal': {role: 'ood', records: 1},
      'ood:prose': {role: 'ood', records: 1},
    })
    assert.match(stored.firstUsed, /^\d{4}-\d\d-\d\dT/)
    db.close()
  })

  it('refuses the same name@version with other content, naming both hashes, and writes nothing', async () => {
    const db = openStore(':memory:')
    const original = await loadDataset(FIXTURE)
    recordDatasetUse(db, original)
    const {dir} = copyFixture()
    replaceLine(dir, 'prose.jsonl', 1, '{"id":"prose-1","cohort":"ood:prose","text":"Changed, but still tiny-eval@1."}')
    const changed = await loadDataset(dir)
    assert.notEqual(changed.hash, original.hash)
    assert.throws(
      () => recordDatasetUse(db, changed),
      (err: unknown) =>
        err instanceof InputError &&
        err.message.startsWith(`dataset tiny-eval@1: its content hash is ${changed.hash} (${dir}) but this store recorded ${original.hash} when it was first used (${FIXTURE}, `) &&
        err.message.endsWith('versions are immutable — give changed data a new version.'),
    )
    assert.equal(sql(db).prepare('SELECT count(*) FROM datasets').pluck().get(), 1)
    db.close()
  })

  it('an invalid dataset never reaches the store', async () => {
    const db = openStore(':memory:')
    const {dir} = copyFixture()
    replaceLine(dir, 'definitions.jsonl', 1, 'not json')
    await assert.rejects(async () => recordDatasetUse(db, await loadDataset(dir)), InputError)
    assert.equal(sql(db).prepare('SELECT count(*) FROM datasets').pluck().get(), 0)
    db.close()
  })
})
