import assert from 'node:assert/strict'
import {existsSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {resolveBaseModel} from '../../src/sweep/plan.js'
import {insertCandidates, recordSteps} from '../../src/store/candidates.js'
import {openStore} from '../../src/store/db.js'
import {insertRun} from '../../src/store/runs.js'
import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {sweepFixture} from '../fixtures/sweep/workplace.js'

interface DryRunJson {
  schemaVersion: number
  dryRun: boolean
  candidates: Array<{label: string; method: string; interpolate: number; steps: number}>
  steps: number
  trainedCandidates: number
  optimizerSteps: number
  evaluations: number
  workers: number
  estimate: {seconds: number; tokensPerS: number; fromSteps: number; fromRuns: number} | null
  estimateMissing: string | null
  disk: {baseModel: number; kept: number; peak: number}
}

describe('lrgate sweep --dry-run', () => {
  before(() => buildIfStale())

  it('lists the expanded grid with steps, time and disk, and writes nothing', () => {
    const {cwd, db} = sweepFixture()
    const args = ['sweep', '--dry-run', '--lr', '1e-4,3e-4', '--method', 'full,lora', '--interpolate', '1,0.5', '--db', db]
    const r = lrgate([...args, '--json'], {cwd})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as DryRunJson
    assert.equal(out.schemaVersion, 1)
    assert.deepEqual(out.candidates.map((c) => [c.label, c.steps]), [
      ['lr-1e-4', 12], ['lr-1e-4 wise-0.5', 0], ['lr-3e-4', 12], ['lr-3e-4 wise-0.5', 0],
      ['lr-1e-4 lora-r8', 12], ['lr-1e-4 lora-r8 wise-0.5', 0], ['lr-3e-4 lora-r8', 12], ['lr-3e-4 lora-r8 wise-0.5', 0],
    ])
    assert.deepEqual([out.steps, out.trainedCandidates, out.optimizerSteps, out.evaluations], [12, 4, 48, 9])
    assert.equal(out.estimate, null)
    assert.match(out.estimateMissing!, /^no database at /)
    assert.ok(out.disk.baseModel > 1e6 && out.disk.kept > out.disk.baseModel && out.disk.peak > out.disk.kept, JSON.stringify(out.disk))
    assert.equal(existsSync(db), false, 'no database is created')
    assert.equal(existsSync(join(cwd, '.lrgate')), false, 'no folder is created')

    const human = lrgate(args, {cwd})
    assert.equal(human.status, 0, human.stderr)
    assert.match(human.stdout, /^8 candidates: 4 trained × 12 steps = 48 optimizer steps, 4 interpolated from them; 9 evaluations/m)
    assert.match(human.stdout, /^Dry run: nothing was trained and nothing was written\.$/m)
  })

  it('estimates the training time from the tokens/s earlier sweeps of the same base model recorded', () => {
    const {cwd, db} = sweepFixture()
    mkdirSync(join(cwd, '.lrgate'))
    const store = openStore(db)
    const run = insertRun(store, {kind: 'sweep', name: 'earlier', seed: 1, config: {}, backend: 'cpu', backendReason: 'test', baseModel: resolveBaseModel('example', cwd), trainDatasetId: null, evalDatasetId: null})
    const [id] = insertCandidates(store, run, [{label: 'lr-1e-4', lr: 1e-4, schedule: {}, seed: 1, stepsTotal: 3, artifactDir: null}])
    recordSteps(store, id, 3, [500, 1000, 4000].map((tokensPerS, step) => ({step, lr: 1e-4, loss: 2, gradNorm: 1, clipped: false, tokensPerS, valLoss: null})))
    store.close()
    const r = lrgate(['sweep', '--dry-run', '--lr', '1e-4', '--parallel', '1', '--json', '--db', db], {cwd})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as DryRunJson
    // 12 steps × batch 4 × context 256 tokens at the median 1000 tokens/s, one worker
    assert.deepEqual(out.estimate, {seconds: (12 * 4 * 256) / 1000, tokensPerS: 1000, fromSteps: 3, fromRuns: 1})
  })
})
