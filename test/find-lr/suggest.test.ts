import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {sweepCandidates} from '../../src/find-lr/candidates.js'
import {exponentialRamp} from '../../src/find-lr/ramp.js'
import {DebiasedEma, smoothLosses} from '../../src/find-lr/smoothing.js'
import {longestDecline, type RangePoint, slopes, suggestLrs} from '../../src/find-lr/suggest.js'
import {seededRng} from '../../src/util/rng.js'

const close = (actual: number, expected: number, rel = 1e-12) => assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} vs ${expected}`)

// fastai's ramp: 100 iterations from 1e-7 to 10, so log10(lr) = -7 + 8·i/100.
const ramp = exponentialRamp(1e-7, 10, 100)
const logLr = (i: number) => -7 + (8 * i) / 100

/**
 * A synthetic range-test curve on that ramp: a tanh fall whose steepest point is lr = 1e-3 (i = 50),
 * then from lr = 0.1 (i = 75) a parabola up — so the minimum is exactly at i = 75.
 */
function syntheticCurve(noise = 0, seed = 1): RangePoint[] {
  const rng = seededRng(seed)
  const fall = (x: number) => 2 - 0.5 * Math.tanh((x + 3) / 0.6)
  return Array.from({length: 100}, (_, i) => {
    const x = logLr(i)
    const loss = (x <= -1 ? fall(x) : fall(-1) + 2 * (x + 1) ** 2) + noise * (rng.next() - 0.5)
    return {lr: ramp(i), loss, smoothed: loss}
  })
}

describe('LR range test: ramp and smoothing', () => {
  it('the ramp is exponential: 1e-7 at the start, 1e-3 halfway, 10 at the end', () => {
    close(ramp(0), 1e-7)
    close(ramp(50), 1e-3)
    close(ramp(100), 10)
    close(ramp(25) / ramp(24), 10 ** 0.08)
  })

  it('the EMA is debiased: its first value is the first loss, a constant stays constant', () => {
    const ema = new DebiasedEma(0.5)
    assert.equal(ema.push(1), 1)
    close(ema.push(2), (0.5 * 0.5 * 1 + 0.5 * 2) / (1 - 0.25)) // 1.6667
    assert.deepEqual(smoothLosses([3, 3, 3, 3]).map((v) => Number(v.toFixed(12))), [3, 3, 3, 3])
    // β = 0.98 (fastai): 200 losses of 1 then 50 of 2 — the EMA's closed form, over its bias 1 - β^250.
    const smoothed = smoothLosses([...Array(200).fill(1), ...Array(50).fill(2)])
    close(smoothed[249], (0.98 ** 50 * (1 - 0.98 ** 200) + 2 * (1 - 0.98 ** 50)) / (1 - 0.98 ** 250), 1e-12)
    assert.ok(smoothed[249] > 1.6 && smoothed[249] < 1.7, 'about 63% of the way from 1 to 2 after 50 steps')
  })
})

describe('LR range test: suggestions', () => {
  it('on a clean curve: steep at the steepest point, minimum/10 at the minimum, valley mid-fall', () => {
    const s = suggestLrs(syntheticCurve())
    assert.equal(s.steep?.index, 50)
    close(s.steep!.lr, 1e-3)
    assert.equal(s.minimum?.index, 75)
    close(s.minimum!.lr, 1e-1 / 10)
    // The fall spans the window's start (i = 10, the first 10% skipped) to the minimum (i = 75).
    assert.equal(s.valley?.index, Math.round((10 + 75) / 2))
    close(s.valley!.lr, ramp(43))
  })

  it('noise does not move the steep point off the fall, nor the minimum off the bottom', () => {
    const s = suggestLrs(syntheticCurve(0.04, 7))
    assert.ok(Math.abs(Math.log10(s.steep!.lr) + 3) <= 0.5, `steep ${s.steep!.lr} is more than half a decade from 1e-3`)
    assert.ok(Math.abs(Math.log10(s.minimum!.lr * 10) + 1) <= 0.3, `minimum ${s.minimum!.lr * 10}`)
    assert.ok(s.valley!.lr > 1e-6 && s.valley!.lr < 1e-1, `valley ${s.valley!.lr}`)
  })

  it('a single noisy dip in the flat start is not the steepest fall (slope over ±5% of the points)', () => {
    const points = syntheticCurve()
    points[15] = {...points[15], smoothed: points[15].smoothed - 0.2}
    assert.equal(suggestLrs(points).steep?.index, 50)
    const x = points.map((_, i) => logLr(i)), y = points.map((p) => p.smoothed)
    // The plain central difference (span 1) falls for the dip.
    assert.equal(slopes(x, y, 1).indexOf(Math.min(...slopes(x, y, 1).slice(10, 95))), 14)
  })

  it('a loss that never falls suggests nothing: no valley, no steep point, no minimum', () => {
    const rising = Array.from({length: 50}, (_, i) => ({lr: ramp(i), loss: 2 + i / 100, smoothed: 2 + i / 100}))
    assert.deepEqual(suggestLrs(rising), {valley: null, steep: null, minimum: null})
  })

  it('a ramp from 10 whose loss only rose (with wiggles) suggests nothing, so no sweep list', () => {
    const from10 = exponentialRamp(10, 1e4, 100)
    const rng = seededRng(5)
    const raw = Array.from({length: 100}, (_, i) => 3 + 0.05 * i + 0.2 * (rng.next() - 0.5))
    const smoothed = smoothLosses(raw)
    const points = raw.map((loss, i) => ({lr: from10(i), loss, smoothed: smoothed[i]}))
    assert.deepEqual(suggestLrs(points), {valley: null, steep: null, minimum: null})
  })

  it('a flat curve that only wiggles within 1% suggests nothing; one that falls 10% does', () => {
    const flat = Array.from({length: 60}, (_, i) => ({lr: ramp(i), loss: 2, smoothed: 2 + 0.01 * Math.sin(i)}))
    assert.deepEqual(suggestLrs(flat), {valley: null, steep: null, minimum: null})
    const falls = flat.map((p, i) => ({...p, smoothed: 2 - 0.2 * Math.min(i, 30) / 30}))
    assert.notEqual(suggestLrs(falls).minimum, null)
  })

  it('the longest decline steps over wiggles (a subsequence, not a run)', () => {
    assert.deepEqual(longestDecline([5, 4, 4.5, 3, 3.5, 2, 9]), {first: 0, last: 5})
    assert.equal(longestDecline([1, 2, 3]), null)
  })
})

describe('LR range test: sweep list', () => {
  it('count rates on the 1-3 grid from the anchor (snapped in log space) downwards', () => {
    assert.deepEqual(sweepCandidates(7.59e-5, 4), [3e-6, 1e-5, 3e-5, 1e-4])
    assert.deepEqual(sweepCandidates(8e-4, 4), [3e-5, 1e-4, 3e-4, 1e-3])
    assert.deepEqual(sweepCandidates(1e-3, 2), [3e-4, 1e-3])
    assert.deepEqual(sweepCandidates(2e-3, 3), [3e-4, 1e-3, 3e-3]) // log10 2e-3 is nearer 3e-3 than 1e-3
    assert.deepEqual(sweepCandidates(0.5, 1), [0.3])
  })
})
