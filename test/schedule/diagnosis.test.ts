import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {type CurveStep, diagnoseCurve} from '../../src/schedule/diagnosis.js'

/** A seeded (LCG) noise in [-1, 1), so synthetic curves carry batch noise like real ones. */
function noise(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return (s / 2 ** 32) * 2 - 1
  }
}

function curve(n: number, loss: (t: number) => number, lr: (t: number) => number, valEvery = 0): CurveStep[] {
  return Array.from({length: n}, (_, t) => ({step: t, lr: lr(t), loss: loss(t), valLoss: valEvery > 0 && (t + 1) % valEvery === 0 ? loss(t) + 0.1 : null}))
}

const cosine = (peak: number, n: number) => (t: number) => (t < n / 10 ? (peak * t) / (n / 10) : 0.5 * peak * (1 + Math.cos((Math.PI * (t - n / 10)) / (n - n / 10))))

describe('curve diagnosis rules on synthetic curves', () => {
  it('a loss that runs away in the first half is diverged early (and a non-finite loss too)', () => {
    const steps = curve(100, (t) => (t < 20 ? 2 : 2 + (t - 20) * 0.2), () => 0.1)
    const d = diagnoseCurve({steps, stepsTotal: 100})
    assert.equal(d.kind, 'diverged-early')
    assert.match(d.reason, /lr too high or no warmup/)
    const nan = curve(10, (t) => (t === 3 ? Number.NaN : 2), () => 0.1)
    assert.equal(diagnoseCurve({steps: nan, stepsTotal: 100}).kind, 'diverged-early')
    // the trainer's own verdict, after 3 stored steps of 100
    assert.equal(diagnoseCurve({steps: curve(3, () => 2, () => 0.1), stepsTotal: 100, status: 'diverged'}).kind, 'diverged-early')
    // a divergence in the second half is not "early"
    assert.equal(diagnoseCurve({steps: curve(3, () => 2, () => 0.1), stepsTotal: 4, status: 'diverged'}).kind, 'diverged')
  })

  it('a flat noisy loss with flat validation is plateaued early; the same train noise with a moving validation loss is not', () => {
    const r = noise(1)
    const flat = curve(60, () => 1.5 + 0.05 * r(), cosine(1e-7, 60), 5).map((s) => (s.valLoss === null ? s : {...s, valLoss: 1.613 - s.step * 1e-5}))
    const d = diagnoseCurve({steps: flat, stepsTotal: 60})
    assert.equal(d.kind, 'plateaued-early')
    assert.match(d.reason, /lr too low or decayed too soon/)
    const moving = flat.map((s) => (s.valLoss === null ? s : {...s, valLoss: 1.6 - s.step * 0.005}))
    assert.notEqual(diagnoseCurve({steps: moving, stepsTotal: 60}).kind, 'plateaued-early')
  })

  it('a loss that fell, then swings flat under a constant lr, is oscillating late; under a decayed lr it is healthy', () => {
    const r = noise(2)
    const loss = (t: number) => Math.max(0.6, 1.5 - t * 0.03) + 0.08 * r()
    const constant = curve(60, loss, () => 3e-3)
    const d = diagnoseCurve({steps: constant, stepsTotal: 60})
    assert.equal(d.kind, 'oscillating-late')
    assert.match(d.reason, /lr not decayed enough/)
    const decayed = constant.map((s) => ({...s, lr: cosine(3e-3, 60)(s.step)}))
    assert.equal(diagnoseCurve({steps: decayed, stepsTotal: 60}).kind, 'healthy')
  })

  it('a loss still falling steadily under a constant lr is healthy (no swing around a flat trend)', () => {
    const steps = curve(60, (t) => 2 - t * 0.02, () => 1e-3)
    assert.equal(diagnoseCurve({steps, stepsTotal: 60}).kind, 'healthy')
  })

  it('too few steps give no diagnosis', () => {
    assert.equal(diagnoseCurve({steps: curve(2, () => 1, () => 1), stepsTotal: 10}).kind, 'no-curve')
  })
})
