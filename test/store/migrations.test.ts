import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {InputError} from '../../src/errors.js'
import {openStore} from '../../src/store/db.js'
import {MIGRATIONS, SCHEMA_VERSION} from '../../src/store/migrations.js'
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

  it('migration 9 rebuilds runs for kind controller, keeping every row, id and reference (foreign keys off while it runs)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lrgate-db-')), 'lrgate.db')
    // a database of schema 7 holding a sweep run with a candidate, a step and an evaluation pointing at the run
    const raw = new Database(file)
    raw.pragma('foreign_keys = ON')
    for (const m of MIGRATIONS.slice(0, 7)) raw.exec(m)
    raw.pragma('user_version = 7')
    raw.exec(`INSERT INTO datasets (id, name, version, hash, path, records, cohorts, first_used) VALUES (1, 'd', '1', 'h', '/x', 1, '{}', 't');
      INSERT INTO runs (id, kind, name, status, seed, config, created_at, uid, plan_hash, shard) VALUES (5, 'sweep', 's', 'completed', 7, '{"a":1}', 't', 'u5', 'ph', '1/2');
      INSERT INTO candidates (id, run_id, label, lr, schedule, seed, status, steps_total) VALUES (9, 5, 'lr-1', 0.1, '{}', 7, 'completed', 3);
      INSERT INTO train_steps (candidate_id, step, lr, loss, grad_norm, clipped, tokens_per_s) VALUES (9, 0, 0.1, 2.5, 1, 0, 100);
      INSERT INTO evaluations (id, label, dataset_id, dataset_hash, source, run_id, candidate_id, evaluators, seed, created_at) VALUES (3, 'e', 1, 'h', 'model', 5, 9, '[]', 7, 't');
      UPDATE runs SET recommended_candidate_id = 9, base_evaluation_id = 3 WHERE id = 5;`)
    const before = raw.prepare('SELECT * FROM runs').all()
    raw.close()
    const db = openStore(file)
    assert.equal(sql(db).pragma('user_version', {simple: true}), SCHEMA_VERSION)
    assert.equal(sql(db).pragma('foreign_keys', {simple: true}), 1)
    assert.deepEqual(sql(db).prepare('SELECT * FROM runs').all(), before)
    assert.equal(sql(db).prepare('SELECT count(*) FROM candidates WHERE run_id = 5').pluck().get(), 1)
    assert.equal(sql(db).prepare('SELECT count(*) FROM train_steps').pluck().get(), 1)
    assert.equal(sql(db).prepare('SELECT run_id FROM evaluations WHERE id = 3').pluck().get(), 5)
    assert.deepEqual(sql(db).pragma('foreign_key_check'), [])
    // the new kind is accepted, an unknown one still refused, and deleting a run still cascades
    sql(db).prepare("INSERT INTO runs (kind, status, seed, config, created_at) VALUES ('controller', 'running', 1, '{}', 't')").run()
    assert.throws(() => sql(db).prepare("INSERT INTO runs (kind, status, seed, config, created_at) VALUES ('other', 'running', 1, '{}', 't')").run(), /CHECK/)
    assert.throws(() => sql(db).prepare("INSERT INTO runs (kind, status, seed, config, created_at, uid) VALUES ('sweep', 'running', 1, '{}', 't', 'u5')").run(), /UNIQUE/)
    sql(db).exec('UPDATE runs SET recommended_candidate_id = NULL WHERE id = 5; UPDATE evaluations SET candidate_id = NULL; DELETE FROM runs WHERE id = 5')
    assert.equal(sql(db).prepare('SELECT count(*) FROM candidates').pluck().get(), 0)
    db.close()
  })

  it('enforces foreign keys', () => {
    const db = openStore(tempDb())
    assert.throws(() =>
      sql(db).prepare("INSERT INTO candidates (run_id, label, lr, schedule, seed, status, steps_total) VALUES (999, 'x', 0.1, '{}', 1, 'pending', 10)").run(),
    /FOREIGN KEY/)
    db.close()
  })
})
