import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {newController, saveController} from '../../src/schedule/learned/controller.js'
import {runSteps} from '../../src/store/candidates.js'
import {openStore} from '../../src/store/db.js'
import {lrgate} from '../fixtures/eval/cli.js'
import {sweepFixture} from '../fixtures/sweep/workplace.js'

const TINY = {steps: 16, batchSize: 4, parallel: 1, valEvery: 2, checkpointEvery: 8}

/** The stored lr per step of the run's one candidate. */
function storedLrs(db: string): number[] {
  const store = openStore(db, {readonly: true})
  try {
    return runSteps(store, 1).map((s) => s.lr)
  } finally {
    store.close()
  }
}

describe('schedules decided during training in a sweep', {timeout: 300_000}, () => {
  it('--type plateau with --trainer is exit 2 naming both flags', () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-3], ...TINY}})
    const r = lrgate(['sweep', '--db', db, '--type', 'plateau', '--trainer', 'python train.py --lr {lr} --out {output_dir}'], {cwd})
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /--type plateau cannot be combined with --trainer/)
    const learned = lrgate(['sweep', '--db', db, '--type', 'learned', '--controller', 'x.json', '--trainer', 'python train.py --lr {lr} --out {output_dir}'], {cwd})
    assert.equal(learned.status, 2)
    assert.match(learned.stderr, /--type learned cannot be combined with --trainer/)
  })

  it('--type plateau: the stored lr drops by the factor after the validation loss stops improving', () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [3e-3], ...TINY}})
    const r = lrgate(['sweep', '--db', db, '--type', 'plateau', '--patience', '0', '--factor', '0.5'], {cwd})
    assert.ok(r.status === 0 || r.status === 1, r.stderr)
    const lrs = storedLrs(db)
    assert.equal(lrs.length, 16)
    assert.equal(lrs[0], 3e-3)
    const distinct = [...new Set(lrs)]
    assert.ok(distinct.length >= 2, `lr stayed ${distinct}`)
    for (let i = 1; i < distinct.length; i++) assert.ok(Math.abs(distinct[i] / distinct[i - 1] - 0.5) < 1e-12)
  })

  it('--type learned --controller FILE: every step\'s lr comes from the controller, stored and not constant', () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-3], ...TINY}})
    const ctl = newController({seed: 1, minLr: 1e-4, maxLr: 1e-2, decisionEvery: 4})
    // bias the output layer towards ×1.06, so the greedy decisions raise the rate
    ctl.actor[ctl.actor.length - 1] = 5
    saveController(join(cwd, 'ctl.json'), ctl)
    const r = lrgate(['sweep', '--db', db, '--type', 'learned', '--controller', 'ctl.json'], {cwd})
    assert.ok(r.status === 0 || r.status === 1, r.stderr)
    const lrs = storedLrs(db)
    assert.equal(lrs.length, 16)
    // decisions after steps 4, 8, 12: ×1.06 each
    const expected = lrs.map((_, t) => 1e-3 * 1.06 ** Math.floor(t / 4))
    lrs.forEach((lr, t) => assert.ok(Math.abs(lr - expected[t]) < 1e-15, `step ${t}: ${lr} vs ${expected[t]}`))
    const missing = lrgate(['sweep', '--db', db, '--type', 'learned', '--controller', 'nope.json'], {cwd})
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /nope\.json: cannot read the controller/)
  })
})
