import * as tf from '@tensorflow/tfjs-core'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {Gpt, type TokenBatch} from '../../src/model/gpt.js'
import {modelSnapshot} from '../../src/model/prediction-stats.js'
import {loadController, newController} from '../../src/schedule/learned/controller.js'
import {FEATURES, LOSS_FEATURES} from '../../src/schedule/learned/features.js'
import {learnedSchedule} from '../../src/schedule/learned/learned-schedule.js'
import {modelFeatures, type ModelView} from '../../src/schedule/learned/model-features.js'
import {ROOT} from '../fixtures/eval/cli.js'

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`)

describe('learned controller: the model features', () => {
  before(async () => {
    await initBackend('auto')
  })

  it('modelSnapshot reads p(target) at counted positions and the tied head\'s moments of a hand-made model', () => {
    // vocabulary 4, width 2, one layer; the tied head (wte) set by hand: rows 0..3 = [1,0] [0,1] [-1,0] [2,2]
    const model = Gpt.init({vocabSize: 4, contextLength: 4, dModel: 2, nLayers: 1, nHeads: 1, dropout: 0, tiedHead: true}, 5)
    const wte = [1, 0, 0, 1, -1, 0, 2, 2]
    ;(model.params.get('wte') as tf.Variable).assign(tf.tensor2d(wte, [4, 2]))
    const batch: TokenBatch = {batch: 1, time: 4, tokens: Int32Array.from([0, 1, 2, 3]), positions: Int32Array.from([0, 1, 2, 3]), targets: Int32Array.from([1, 2, 3, 0]), weights: Float32Array.from([1, 0, 1, 1])}
    const snap = modelSnapshot(model, batch)
    // the moments of the 8 weights: mean 5/8, variance E[w²] − mean² = 11/8 − 25/64
    close(snap.headMean, 5 / 8, 1e-7)
    close(snap.headVar, 11 / 8 - 25 / 64, 1e-6)
    // p(target) by hand from the logits: softmax row i at its target, skipping the weight-0 position
    const logits = model.logits(batch).arraySync() as number[][]
    const p = (row: number[], t: number) => Math.exp(row[t]) / row.reduce((a, x) => a + Math.exp(x), 0)
    assert.equal(snap.targetProbs.length, 3)
    close(snap.targetProbs[0], p(logits[0], 1), 1e-6)
    close(snap.targetProbs[1], p(logits[2], 3), 1e-6)
    close(snap.targetProbs[2], p(logits[3], 0), 1e-6)
    model.dispose()
  })

  it('modelFeatures normalises to the start: log variance ratio, change variance, head shift in start sd, log head variance ratio', () => {
    const start: ModelView = {targetProbs: [0.2, 0.4], headMean: 0, headVar: 4}
    const now: ModelView = {targetProbs: [0.1, 0.5], headMean: 1, headVar: 8}
    // var(p₀) = 0.01, var(p) = 0.04, var(p − p₀) = var([−0.1, 0.1]) = 0.01
    const f = modelFeatures(now, start, start)
    close(f[0], Math.log(4))
    close(f[1], 1)
    close(f[2], 0.5)
    close(f[3], Math.log(2))
    // no change since the previous decision: the change feature is 0; a constant start gives 0, not NaN
    close(modelFeatures(now, now, start)[1], 0)
    assert.deepEqual(modelFeatures(now, now, {targetProbs: [0.3, 0.3], headMean: 0, headVar: 4}).slice(0, 2), [0, 0])
  })

  it('a format-2 controller reads the model at the start and at every decision; format 1 files still load', () => {
    const c = newController({seed: 3, minLr: 1e-5, maxLr: 1e-2, decisionEvery: 2, version: 2})
    assert.deepEqual(c.features, [...FEATURES])
    assert.equal(c.version, 2)
    assert.throws(() => learnedSchedule(c, {initialLr: 1e-3, steps: 6}), /reads the model/)
    const views: ModelView[] = [0, 1, 2, 3].map((k) => ({targetProbs: [0.2 + 0.01 * k, 0.4 - 0.02 * k, 0.3], headMean: 0.1 * k, headVar: 1 + k}))
    let reads = 0
    const states: number[][] = []
    const s = learnedSchedule(c, {initialLr: 1e-3, steps: 6, inspect: () => views[reads++], onDecision: (d) => states.push(d.state)})
    for (let t = 0; t < 6; t++) s.observe({step: t, lr: s.lrAt(t), loss: 2 - 0.1 * t, valLoss: t % 2 === 1 ? 2.1 - 0.1 * t : null})
    assert.equal(reads, 3, 'start + 2 decisions (none at the last step)')
    assert.equal(states.length, 2)
    assert.ok(states.every((x) => x.length === FEATURES.length))
    assert.deepEqual(states[0].slice(LOSS_FEATURES.length), modelFeatures(views[1], views[0], views[0]))
    assert.deepEqual(states[1].slice(LOSS_FEATURES.length), modelFeatures(views[2], views[1], views[0]))
    // the shipped controller is format 1 (losses and lr): it loads and never asks for the model
    const shipped = loadController(join(ROOT, 'models', 'controller', 'controller.json'))
    assert.equal(shipped.version, 1)
    assert.deepEqual(shipped.features, [...LOSS_FEATURES])
    assert.doesNotThrow(() => learnedSchedule(shipped, {initialLr: 1e-3, steps: 6}))
  })
})
