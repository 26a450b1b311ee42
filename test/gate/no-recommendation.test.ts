import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {DEFAULT_CONFIG} from '../../src/config/defaults.js'
import {checkWithoutRecommendation, sweepWithoutRecommendation} from '../../src/gate/no-recommendation.js'
import {insertCandidates, setCandidateStatus} from '../../src/store/candidates.js'
import {insertRun, setRecommended, setRunStatus} from '../../src/store/runs.js'
import {tempDb} from '../fixtures/eval/store.js'

const request = {candidate: 'recommended', baseline: 'base', rules: DEFAULT_CONFIG.gate.rules, confidence: 0.95, resamples: 200, seed: 1, onSharedRecords: false}

describe('check --candidate recommended when nothing passed', () => {
  it('a completed sweep whose candidates all diverged: a failing verdict with each candidate\'s status, not an error', () => {
    const db = tempDb()
    const run = insertRun(db, {kind: 'sweep', name: 'hot', seed: 1, config: {}, backend: 'cpu', backendReason: 'test', baseModel: 'example', trainDatasetId: null, evalDatasetId: null})
    const ids = insertCandidates(db, run, [1, 3].map((lr) => ({label: `lr-${lr}e0`, lr, schedule: {}, seed: 1, stepsTotal: 10, artifactDir: null})))
    for (const id of ids) setCandidateStatus(db, id, 'diverged', 'loss blew up at step 3')
    setRunStatus(db, run, 'running')
    assert.equal(sweepWithoutRecommendation(db, 'recommended'), undefined, 'a running sweep is not judged')
    setRunStatus(db, run, 'completed')
    for (const ref of ['recommended', 'run:recommended', `run:${run}:recommended`]) assert.equal(sweepWithoutRecommendation(db, ref)?.id, run, ref)
    assert.equal(sweepWithoutRecommendation(db, 'lr-1e0'), undefined)
    const report = checkWithoutRecommendation(db, sweepWithoutRecommendation(db, 'recommended')!, request)
    assert.equal(report.verdict, 'fail')
    assert.deepEqual(report.results.map((r) => [r.cohort, r.status]), [['candidate lr-1e0', 'fail'], ['candidate lr-3e0', 'fail']])
    assert.match(report.results[0].message, /^run #1 recommended no learning rate: none of its 2 candidates passed the gate \(0 completed\); lr-1e0 diverged: loss blew up at step 3$/)
    setRecommended(db, run, ids[0])
    assert.equal(sweepWithoutRecommendation(db, 'recommended'), undefined, 'a recommendation resolves as usual')
    db.close()
  })
})
