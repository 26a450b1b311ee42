import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {insertCandidates, markCandidateRunning, setCandidateStatus} from '../../src/store/candidates.js'
import {insertRun, setRunStatus} from '../../src/store/runs.js'
import {sql} from '../../src/store/sql.js'
import {tempDb} from '../fixtures/eval/store.js'

describe('a stopped run leaves no candidate running', () => {
  it('interrupted (Ctrl-C mid-training): its running candidates go back to pending, finished ones and other runs keep theirs', () => {
    const db = tempDb()
    const newRun = () => insertRun(db, {kind: 'sweep', name: null, seed: 1, config: {}, backend: 'cpu', backendReason: 'test', baseModel: 'example', trainDatasetId: null, evalDatasetId: null})
    const run = newRun(), other = newRun()
    const [a, b, c] = insertCandidates(db, run, [1, 2, 3].map((lr) => ({label: `lr-${lr}`, lr, schedule: {}, seed: 1, stepsTotal: 10, artifactDir: null})))
    const [d] = insertCandidates(db, other, [{label: 'lr-9', lr: 9, schedule: {}, seed: 1, stepsTotal: 10, artifactDir: null}])
    for (const id of [a, b, d]) markCandidateRunning(db, id)
    setCandidateStatus(db, b, 'completed', null)
    setRunStatus(db, run, 'interrupted')
    const status = (id: number) => sql(db).prepare('SELECT status FROM candidates WHERE id = ?').pluck().get(id)
    assert.deepEqual([a, b, c, d].map(status), ['pending', 'completed', 'pending', 'running'])
    assert.equal(sql(db).prepare('SELECT status FROM runs WHERE id = ?').pluck().get(run), 'interrupted')
    // a resumed run marks its candidates running again as it starts them
    setRunStatus(db, run, 'running')
    markCandidateRunning(db, a)
    assert.equal(status(a), 'running')
    db.close()
  })
})
