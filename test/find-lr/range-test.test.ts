import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {rangeTest} from '../../src/find-lr/range-test.js'
import {suggestLrs} from '../../src/find-lr/suggest.js'
import {Gpt} from '../../src/model/gpt.js'
import {buildTokenStream} from '../../src/train/token-stream.js'
import {ADAMW, TEXT, tokenizer, weightsOf} from '../fixtures/train/tiny.js'


describe('LR range test on a tiny model', () => {
  before(async () => {
    await initBackend('auto')
  })

  it('ramps the lr, finds a fall, stops when the loss blows up, and restores the weights', async () => {
    const model = Gpt.init({vocabSize: 96, contextLength: 32, dModel: 32, nLayers: 2, nHeads: 2, dropout: 0, tiedHead: true}, 3)
    const before = weightsOf(model)
    const iterations = 80
    const result = await rangeTest({
      model, train: buildTokenStream(TEXT, tokenizer), batchSize: 8, startLr: 1e-5, endLr: 100, iterations,
      optimizer: ADAMW, clipNorm: 1, seed: 5,
    })
    const {points} = result
    // The applied lr is the ramp: 1e-5 · (1e7)^(i/80).
    for (const [i, p] of points.entries()) assert.ok(Math.abs(p.lr / (1e-5 * 1e7 ** (i / iterations)) - 1) < 1e-12)
    assert.ok(points.length < iterations, `ran all ${iterations} iterations: the loss should blow up at lr 100`)
    assert.match(result.stoppedBecause ?? '', /passed 4x its best|stopped being finite/)
    // The loss falls somewhere on the ramp (a random model learns this text) before it blows up.
    const best = Math.min(...points.map((p) => p.smoothed))
    assert.ok(best < 0.8 * points[0].smoothed, `smoothed loss ${points[0].smoothed} → best ${best}`)
    const s = suggestLrs(points)
    assert.ok(s.valley !== null && s.steep !== null, 'a falling curve has a valley and a steep point')
    assert.ok(s.steep!.lr > 1e-4 && s.steep!.lr < 10, `steep at ${s.steep!.lr}`)
    assert.deepEqual(weightsOf(model), before, 'the weights are restored after the test')
    model.dispose()
  })

  it('is deterministic for a seed, and a stop request ends it at once', async () => {
    const run = async (stopAfter?: number) => {
      const model = Gpt.init({vocabSize: 96, contextLength: 32, dModel: 32, nLayers: 1, nHeads: 2, dropout: 0, tiedHead: true}, 4)
      let n = 0
      const result = await rangeTest({
        model, train: buildTokenStream(TEXT, tokenizer), batchSize: 4, startLr: 1e-4, endLr: 1, iterations: 20, optimizer: ADAMW, clipNorm: 1, seed: 9,
        onPoint: () => n++, shouldStop: () => (stopAfter !== undefined && n >= stopAfter ? 'interrupted' : null),
      })
      model.dispose()
      return result
    }
    const [a, b] = [await run(), await run()]
    assert.deepEqual(a.points, b.points)
    const stopped = await run(7)
    assert.equal(stopped.points.length, 7)
    assert.equal(stopped.stoppedBecause, 'interrupted')
    assert.equal(stopped.interrupted, true)
    assert.equal(a.interrupted, false)
    assert.deepEqual(stopped.points, a.points.slice(0, 7))
  })
})
