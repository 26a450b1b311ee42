import * as tf from '@tensorflow/tfjs-core'
import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import type {GptConfig} from '../../src/model/config.js'
import {Gpt} from '../../src/model/gpt.js'
import {loadCheckpoint, saveCheckpoint} from '../../src/train/checkpoint.js'
import {DivergenceDetector} from '../../src/train/divergence.js'
import {clipScale, globalNorm, Optimizer} from '../../src/train/optimizer.js'
import {buildTokenStream} from '../../src/train/token-stream.js'
import {train, type TrainOptions} from '../../src/train/trainer.js'
import {ADAMW, TEXT, tokenizer, weightsOf} from '../fixtures/train/tiny.js'

const TINY: GptConfig = {vocabSize: 96, contextLength: 32, dModel: 32, nLayers: 2, nHeads: 2, dropout: 0, tiedHead: true}

function options(model: Gpt, overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model,
    train: buildTokenStream(TEXT, tokenizer),
    valid: buildTokenStream(TEXT.slice(0, 8), tokenizer),
    steps: 30,
    batchSize: 8,
    schedule: () => 3e-3,
    optimizer: ADAMW,
    clipNorm: 1,
    seed: 5,
    valEvery: 10,
    checkpointEvery: 10,
    divergence: {rtol: 2, window: 10, atol: 0.5, patience: 3},
    ...overrides,
  }
}


describe('training', () => {
  before(async () => {
    await initBackend('auto')
  })

  it('loss falls on a small text, and validation loss is recorded', async () => {
    const model = Gpt.init(TINY, 1)
    const steps: number[] = []
    const vals: number[] = []
    const result = await train(options(model, {onStep: (r) => {
      steps.push(r.loss)
      if (r.valLoss !== null) vals.push(r.valLoss)
    }}))
    assert.equal(result.status, 'completed')
    assert.equal(steps.length, 30)
    assert.ok(steps[0] > 4, `first loss ${steps[0]} should be near ln(96)`)
    assert.ok(steps[29] < 0.6 * steps[0], `loss fell from ${steps[0]} to ${steps[29]}`)
    assert.equal(vals.length, 3)
    assert.ok(vals[2] < vals[0])
    model.dispose()
  })

  it('AdamW matches a hand-computed update on a 2-parameter case', () => {
    const p = tf.variable(tf.tensor2d([[1, -2]]))
    const opt = new Optimizer({...ADAMW, weightDecay: 0.1})
    const lr = 0.1
    // PyTorch AdamW in double precision for two steps with gradients g1 then g2.
    const ref = [1, -2]
    const m = [0, 0], v = [0, 0]
    for (const [t, g] of [[1, [0.5, 0.1]], [2, [-0.3, 0.2]]] as const) {
      opt.step(new Map([['p', p]]), new Map([['p', tf.tensor2d([g as unknown as number[]])]]), lr, 1)
      for (let i = 0; i < 2; i++) {
        ref[i] *= 1 - lr * 0.1
        m[i] = 0.9 * m[i] + 0.1 * g[i]
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
        ref[i] -= (lr / (1 - 0.9 ** t)) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - 0.999 ** t) + 1e-8))
      }
      const got = p.dataSync()
      for (let i = 0; i < 2; i++) assert.ok(Math.abs(got[i] - ref[i]) < 5e-6, `step ${t} p[${i}] = ${got[i]}, expected ${ref[i]}`)
    }
    // First step by hand: p·(1 − 0.01) − 0.1·sign(g)
    p.dispose()
  })

  it('SGD with momentum follows torch.optim.SGD', () => {
    const p = tf.variable(tf.tensor1d([1, 2]))
    const opt = new Optimizer({...ADAMW, type: 'sgd', momentum: 0.9, weightDecay: 0})
    opt.step(new Map([['p', p]]), new Map([['p', tf.tensor1d([1, -1])]]), 0.1, 1)
    opt.step(new Map([['p', p]]), new Map([['p', tf.tensor1d([1, -1])]]), 0.1, 1)
    // buf1 = g, p1 = p - 0.1 g; buf2 = 0.9 g + g = 1.9 g, p2 = p1 - 0.19 g
    assert.deepEqual(Array.from(p.dataSync()).map((x) => Number(x.toFixed(6))), [0.71, 2.29])
    p.dispose()
  })

  it('clipping caps the global norm at maxNorm', () => {
    const grads = [tf.tensor1d([3, 4]), tf.tensor1d([12])] // norm 13
    const norm = globalNorm(grads)
    assert.ok(Math.abs(norm - 13) < 1e-9)
    const scale = clipScale(norm, 1)
    const clipped = Math.sqrt(grads.map((g) => Array.from(g.dataSync()).reduce((a, x) => a + (x * scale) ** 2, 0)).reduce((a, b) => a + b, 0))
    assert.ok(Math.abs(clipped - 1) < 1e-6)
    assert.equal(clipScale(0.5, 1), 1)
    assert.equal(clipScale(13, 0), 1)
    tf.dispose(grads)
  })

  it('a huge learning rate diverges and is reported, not thrown', async () => {
    const model = Gpt.init(TINY, 2)
    const result = await train(options(model, {steps: 40, schedule: () => 50, clipNorm: 0}))
    assert.equal(result.status, 'diverged')
    assert.match(result.reason ?? '', /loss (became NaN|.*x (its running mean|the best loss))/)
    assert.ok(result.stepsDone < 40)
    model.dispose()
  })

  it('divergence: a NaN at once, a sustained blow-up after patience, never noise around a small loss', () => {
    const rule = {rtol: 2, window: 10, atol: 0.5, patience: 3}
    assert.match(new DivergenceDetector(rule).check(Number.NaN) ?? '', /loss became NaN/)
    const noisy = new DivergenceDetector(rule)
    for (let i = 0; i < 200; i++) assert.equal(noisy.check(0.1 + 0.2 * ((i * 7919) % 13 === 0 ? 1 : 0)), null, `step ${i}`)
    const blowUp = new DivergenceDetector(rule, Array.from({length: 10}, () => 1.5))
    assert.equal(blowUp.check(6), null)
    assert.equal(blowUp.check(1.4), null, 'one bad batch is no divergence')
    assert.equal(blowUp.check(6), null)
    assert.equal(blowUp.check(7), null)
    assert.match(blowUp.check(8) ?? '', /loss 8\.000 is 5\.\dx its running mean 1\.\d+ over 10 steps \(limit 2x\) for 3 steps in a row/)
    const early = new DivergenceDetector(rule)
    early.check(4.6)
    for (const l of [30, 40]) assert.equal(early.check(l), null)
    assert.match(early.check(50) ?? '', /the best loss 4\.600 \(limit 4x\)/)
  })

  it('resume after a kill reproduces the uninterrupted weights exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-ckpt-'))
    const straight = Gpt.init(TINY, 9)
    await train(options(straight, {steps: 24, checkpointEvery: 8, schedule: (s) => 2e-3 * (1 - s / 24)}))

    const killed = Gpt.init(TINY, 9)
    let kills = 0
    await assert.rejects(
      train(options(killed, {
        steps: 24,
        checkpointEvery: 8,
        schedule: (s) => 2e-3 * (1 - s / 24),
        onCheckpoint: (done, opt) => saveCheckpoint(join(dir, 'ckpt'), killed, tokenizer, opt, done),
        onStep: (r) => {
          if (r.step === 12) {
            kills++
            throw new Error('killed')
          }
        },
      })),
      /killed/,
    )
    assert.equal(kills, 1)
    killed.dispose()
    const ckpt = loadCheckpoint(join(dir, 'ckpt'))
    assert.equal(ckpt.stepsDone, 8)
    await train(options(ckpt.model, {steps: 24, checkpointEvery: 8, schedule: (s) => 2e-3 * (1 - s / 24), resume: {step: 8, optimizer: ckpt.optimizer, lossHistory: []}}))
    assert.deepEqual(weightsOf(ckpt.model), weightsOf(straight))
    straight.dispose()
    ckpt.model.dispose()
  })
})
