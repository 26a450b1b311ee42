import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {loadDataset} from '../../src/datasets/load.js'
import type {DatasetRecord} from '../../src/datasets/types.js'
import {InputError} from '../../src/errors.js'
import {promoteEvaluation} from '../../src/gate/promote.js'
import {resolveEvaluation} from '../../src/gate/reference.js'
import type {Store} from '../../src/store/db.js'
import {readHistory, readRun} from '../../src/store/runs-read.js'
import {storeOutputs, tempDb} from '../fixtures/eval/store.js'
import {syntheticOutputs, writeSyntheticDataset} from '../fixtures/eval/synthetic.js'
import {messageOf as inputError} from '../fixtures/input-error.js'
import {sql} from '../../src/store/sql.js'

let db: Store
const ids: Record<string, number> = {}


function insertRun(db: Store, baseEvaluationId: number | null): number {
  return Number(
    sql(db)
      .prepare(`INSERT INTO runs (kind, status, seed, config, base_model, base_evaluation_id, created_at) VALUES ('sweep', 'completed', 1, '{"seed":1}', 'example', ?, '2024-01-01T00:00:00Z')`)
      .run(baseEvaluationId).lastInsertRowid,
  )
}

function insertCandidate(db: Store, runId: number, label: string, evaluationId: number | null): number {
  return Number(
    sql(db)
      .prepare(`INSERT INTO candidates (run_id, label, lr, schedule, seed, status, steps_total, steps_done, artifact_dir, evaluation_id) VALUES (?, ?, 1e-4, '{}', 1, 'completed', 300, 300, ?, ?)`)
      .run(runId, label, `/models/${label}`, evaluationId).lastInsertRowid,
  )
}

before(async () => {
  const {dir, records} = writeSyntheticDataset(mkdtempSync(join(tmpdir(), 'lrgate-ref-')), {perCohort: 10})
  const dataset = await loadDataset(dir)
  db = tempDb()
  const outputs = syntheticOutputs(records as DatasetRecord[], {seed: 1})
  for (const label of ['base-a', 'lr-1', 'lr-2', 'nightly', 'nightly', 'base-b', 'lr-3']) ids[label] = await storeOutputs(db, dataset, outputs, label)
  const run1 = insertRun(db, ids['base-a'])
  insertCandidate(db, run1, 'lr=1e-4', 2)
  const rec1 = insertCandidate(db, run1, 'lr=5e-4', 3)
  sql(db).prepare('UPDATE runs SET recommended_candidate_id = ? WHERE id = ?').run(rec1, run1)
  const run2 = insertRun(db, ids['base-b'])
  insertCandidate(db, run2, 'lr=1e-4', 7)
  insertCandidate(db, run2, 'lr=1e-3', null)
})

describe('evaluation references', () => {
  it('resolves ids and labels (latest evaluation of a label)', () => {
    assert.equal(resolveEvaluation(db, '3').id, 3)
    assert.equal(resolveEvaluation(db, 'nightly').id, 5)
  })

  it('resolves base and recommended of the latest sweep run, and run:<id>:<label>', () => {
    assert.equal(resolveEvaluation(db, 'base').id, 6)
    assert.match(inputError(() => resolveEvaluation(db, 'recommended', '--candidate')), /^--candidate "recommended": run #2 recommended no candidate/)
    assert.equal(resolveEvaluation(db, 'run:1:recommended').id, 3)
    assert.equal(resolveEvaluation(db, 'run:1:base').id, 1)
    assert.equal(resolveEvaluation(db, 'run:1:lr=1e-4').id, 2)
    assert.equal(resolveEvaluation(db, 'run:lr=1e-4').id, 7)
    assert.match(inputError(() => resolveEvaluation(db, 'run:2:lr=1e-3')), /candidate "lr=1e-3" of run #2 has no evaluation/)
    assert.match(inputError(() => resolveEvaluation(db, 'run:2:lr=9')), /run #2 has no candidate "lr=9"; it has lr=1e-4, lr=1e-3/)
    assert.match(inputError(() => resolveEvaluation(db, 'run:9:base')), /there is no run #9/)
  })

  it('says what exists when a reference is unknown', () => {
    assert.equal(
      inputError(() => resolveEvaluation(db, 'nightly-typo', '--baseline')),
      '--baseline "nightly-typo": no evaluation has that label; recent labels are "lr-3", "base-b", "nightly", "lr-2", "lr-1" (evaluation ids up to 7).',
    )
    assert.match(inputError(() => resolveEvaluation(db, '42')), /there is no evaluation #42/)
    assert.match(inputError(() => resolveEvaluation(db, 'promoted')), /nothing has been promoted yet/)
  })

  it('promotes an evaluation with its model folder, and "promoted" follows the latest promotion', () => {
    const first = promoteEvaluation(db, 'run:1:recommended', 'weekly')
    assert.deepEqual([first.evaluationId, first.modelDir, first.note], [3, '/models/lr=5e-4', 'weekly'])
    assert.equal(resolveEvaluation(db, 'promoted').id, 3)
    promoteEvaluation(db, 'nightly')
    assert.equal(resolveEvaluation(db, 'promoted').id, 5)
    assert.throws(() => promoteEvaluation(db, 'promoted'), InputError)
  })

  it('reads runs and history for runs list/show', () => {
    const detail = readRun(db, 1)
    assert.equal(detail.run.recommendedLabel, 'lr=5e-4')
    assert.deepEqual(detail.baseEvaluation, {id: 1, label: 'base-a'})
    assert.deepEqual(detail.candidates.map((c) => [c.label, c.evaluationId]), [['lr=1e-4', 2], ['lr=5e-4', 3]])
    assert.deepEqual(detail.config, {seed: 1})
    const history = readHistory(db, 3)
    assert.deepEqual(history.runs.map((r) => [r.id, r.candidates]), [[2, 2], [1, 2]])
    assert.deepEqual(history.evaluations.map((e) => e.id), [7, 6, 5])
    assert.deepEqual(history.promotions.map((p) => p.label), ['nightly', 'lr-2'])
    assert.match(inputError(() => readRun(db, 9)), /run 9 does not exist; run ids go up to 2/)
  })
})
