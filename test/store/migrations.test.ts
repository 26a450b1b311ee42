import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {InputError} from '../../src/errors.js'
import {openStore} from '../../src/store/db.js'
import {SCHEMA_VERSION} from '../../src/store/migrations.js'
import {sql} from '../../src/store/sql.js'

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'lrgate-db-')), 'sub', 'lrgate.db')

describe('store migrations', () => {
  it('creates a fresh database with WAL, foreign keys and every table', () => {
    const file = tempDb()
    const db = openStore(file)
    assert.equal(sql(db).pragma('user_version', {simple: true}), SCHEMA_VERSION)
    assert.equal(sql(db).pragma('journal_mode', {simple: true}), 'wal')
    assert.equal(sql(db).pragma('foreign_keys', {simple: true}), 1)
    const tables = sql(db)
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[]
    for (const t of ['candidates', 'cohort_metrics', 'datasets', 'evaluations', 'gate_results', 'gates', 'promotions', 'record_outputs', 'record_scores', 'runs', 'train_steps']) {
      assert.ok(tables.includes(t), `missing table ${t}`)
    }
    db.close()
  })

  it('re-opens an existing database without re-running migrations and keeps its rows', () => {
    const file = tempDb()
    const db = openStore(file)
    sql(db).prepare("INSERT INTO datasets (name, version, hash, path, records, cohorts, first_used) VALUES ('a', '1', 'h', '/x', 3, '{}', 'now')").run()
    db.close()
    const again = openStore(file)
    assert.equal(sql(again).prepare('SELECT count(*) FROM datasets').pluck().get(), 1)
    again.close()
  })

  it('refuses a database from a newer lrgate and leaves it unaltered', () => {
    const file = tempDb()
    openStore(file).close()
    const raw = new Database(file)
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    raw.close()
    assert.throws(() => openStore(file), (err: unknown) => err instanceof InputError && /newer than this lrgate/.test(err.message))
    const check = new Database(file)
    assert.equal(check.pragma('user_version', {simple: true}), SCHEMA_VERSION + 1)
    check.close()
  })

  it('enforces foreign keys', () => {
    const db = openStore(tempDb())
    assert.throws(() =>
      sql(db).prepare("INSERT INTO candidates (run_id, label, lr, schedule, seed, status, steps_total) VALUES (999, 'x', 0.1, '{}', 1, 'pending', 10)").run(),
    /FOREIGN KEY/)
    db.close()
  })
})
