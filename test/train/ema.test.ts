import * as tf from '@tensorflow/tfjs-core'
import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {tensorValues} from '../../src/compute/param-buffers.js'
import {Gpt} from '../../src/model/gpt.js'
import {CharTokenizer} from '../../src/model/tokenizer.js'
import {loadCheckpoint, saveCheckpoint} from '../../src/train/checkpoint.js'
import {emaDecayAt, WeightEma} from '../../src/train/ema.js'

describe('the exponential moving average of the weights (sweep.ema)', () => {
  before(async () => {
    await initBackend('cpu')
  })

  it('equals the hand-computed average of a known sequence, with and without warmup', () => {
    assert.equal(emaDecayAt(0.99, true, 0), 0.1)
    assert.equal(emaDecayAt(0.99, true, 90), 0.91)
    assert.equal(emaDecayAt(0.5, true, 90), 0.5)
    assert.equal(emaDecayAt(0.99, false, 0), 0.99)
    // weights 0 → 10 → 20 → 30 (one parameter); with warmup the decays are 1/10, 2/11, then the 0.2 cap (3/12 > 0.2)
    const w = tf.variable(tf.tensor1d([0]), true, 'w')
    const params = new Map([['w', w]])
    const ema = new WeightEma(0.2, true)
    ema.start(params)
    let expected = 0
    const decays: number[] = []
    for (const [t, value] of [10, 20, 30].entries()) {
      w.assign(tf.tensor1d([value]))
      decays.push(ema.update(params))
      const d = Math.min(0.2, (1 + t) / (10 + t))
      expected = d * expected + (1 - d) * value
    }
    assert.deepEqual(decays, [0.1, 0.2, 0.2].map((d, t) => Math.min(d, (1 + t) / (10 + t))))
    // by hand: 0.1·0 + 0.9·10 = 9; d=2/11: 9·2/11 + 20·9/11 = 18/11 + 180/11 = 198/11 = 18; d=0.2: 3.6 + 24 = 27.6
    assert.ok(Math.abs(expected - 27.6) < 1e-12)
    assert.ok(Math.abs(ema.state.averages.get('w')![0] - 27.6) < 1e-5, String(ema.state.averages.get('w')![0]))
    // swapIn puts the average in the parameter and the restore puts 30 back
    const restore = ema.swapIn(params)
    assert.ok(Math.abs(tensorValues(w)[0] - 27.6) < 1e-5)
    restore()
    assert.equal(tensorValues(w)[0], 30)
    w.dispose()
  })

  it('a checkpoint carries the average exactly', async () => {
    const tokenizer = CharTokenizer.ascii()
    const model = Gpt.init({vocabSize: 96, contextLength: 8, dModel: 8, nLayers: 1, nHeads: 2, dropout: 0, tiedHead: true}, 3)
    const ema = new WeightEma(0.9, false)
    const params = model.trainable()
    ema.start(params)
    for (const v of params.values()) v.assign(tf.add(v, 1))
    ema.update(params)
    const dir = join(mkdtempSync(join(tmpdir(), 'lrgate-ema-')), 'checkpoint')
    await saveCheckpoint(dir, model, tokenizer, {step: 1, m: new Map(), v: new Map()}, 1, undefined, ema.state)
    const loaded = loadCheckpoint(dir)
    assert.equal(loaded.ema!.updates, 1)
    for (const [name, avg] of ema.state.averages) assert.deepEqual(loaded.ema!.averages.get(name), avg)
    model.dispose()
    loaded.model.dispose()
  })
})
