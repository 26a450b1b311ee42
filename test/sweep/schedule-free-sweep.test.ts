import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {lrgate} from '../fixtures/eval/cli.js'
import {sweepFixture} from '../fixtures/sweep/workplace.js'

const OPTIMIZER = {type: 'schedulefree-adamw', weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0.9}

describe('sweep with optimizer.type schedulefree-adamw', {timeout: 300_000}, () => {
  it('a decay schedule is exit 2 naming the key; nothing is written', () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-3], steps: 8, batchSize: 4, parallel: 1, valEvery: 4, checkpointEvery: 4, schedule: {type: 'cosine'}, optimizer: OPTIMIZER}})
    const r = lrgate(['sweep', '--db', db], {cwd})
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /sweep\.schedule\.type is cosine, but sweep\.optimizer\.type schedulefree-adamw takes no decay schedule/)
    const flag = lrgate(['sweep', '--db', db, '--type', 'step', '--step-size', '2'], {cwd})
    assert.equal(flag.status, 2)
    assert.match(flag.stderr, /--type is step/)
  })

  it('trains with a warmup only, validates and saves the averaged weights, and evaluates', () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [3e-3], steps: 12, batchSize: 4, parallel: 1, valEvery: 4, checkpointEvery: 4, schedule: {type: 'constant', warmupSteps: 4}, optimizer: OPTIMIZER}})
    const r = lrgate(['sweep', '--json', '--db', db], {cwd})
    assert.ok(r.status === 0 || r.status === 1, r.stderr)
    const out = JSON.parse(r.stdout) as {candidates: {status: string; finalTrainLoss: number; evaluationId: number | null}[]}
    assert.equal(out.candidates[0].status, 'completed')
    assert.notEqual(out.candidates[0].evaluationId, null)
    const show = JSON.parse(lrgate(['runs', 'show', '1', '--json', '--db', db], {cwd}).stdout) as {candidates: {finalValLoss: number}[]}
    assert.ok(Number.isFinite(show.candidates[0].finalValLoss))
  })
})
