import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {anchorSuggestion, sweepCandidates} from '../../src/find-lr/candidates.js'
import {exponentialRamp} from '../../src/find-lr/ramp.js'
import {DebiasedEma, smoothLosses} from '../../src/find-lr/smoothing.js'
import {curveFell, longestDecline, type RangePoint, slopes, suggestLrs} from '../../src/find-lr/suggest.js'
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

/**
 * The raw losses of `lrgate find-lr` on the shipped example (models/example-base, seed 1234, batch 16,
 * native backend; train_steps of the stored run): a low first batch (1.507), ~1.7 while the rate is
 * too small to matter, a fall to ~1.35-1.42 around lr 2e-3, then the blow-up; the test stopped at
 * iteration 90 of 100 when the smoothed loss passed 4x its best.
 */
const EXAMPLE_LOSSES = [
  1.507, 1.7716, 1.7237, 1.6932, 1.7568, 1.7329, 1.8174, 1.5389, 1.654, 1.7443, 1.7269, 1.7753, 1.5504, 1.6395, 1.7341, 1.6889, 1.7443, 1.6671,
  1.5767, 1.7485, 1.653, 1.5877, 1.7642, 1.7349, 1.6987, 1.6981, 1.5955, 1.6902, 1.633, 1.6643, 1.5882, 1.6338, 1.6199, 1.6429, 1.6231, 1.5567,
  1.7147, 1.5534, 1.6032, 1.5518, 1.5827, 1.5709, 1.5665, 1.6389, 1.4868, 1.5628, 1.6457, 1.5356, 1.4721, 1.5766, 1.4284, 1.5327, 1.3789, 1.3456,
  1.4206, 1.458, 1.3387, 1.4083, 1.5297, 1.3803, 1.6861, 1.5414, 1.6422, 1.6031, 1.7139, 1.8333, 1.95, 2.2734, 2.467, 2.5005, 3.8305, 3.0158,
  3.8155, 3.8693, 4.0378, 4.3858, 4.3223, 4.3506, 4.0182, 3.7386, 3.6577, 3.8606, 4.5019, 5.0765, 9.3294, 14.4572, 16.1147, 32.5403, 41.9439, 66.8939,
]

/** Range-test points from raw losses on fastai's ramp, smoothed as find-lr smooths them. */
function fromLosses(losses: readonly number[]): RangePoint[] {
  const smoothed = smoothLosses(losses)
  return losses.map((loss, i) => ({lr: ramp(i), loss, smoothed: smoothed[i]}))
}

describe('LR range test: a low first batch or an early rise does not hide a later fall', () => {
  it('the shipped example: suggestions in the fall and a sweep list, though no later point beats the first batch', () => {
    const points = fromLosses(EXAMPLE_LOSSES)
    // The artefact: the debiased EMA starts at the first batch, and nothing after it is lower.
    assert.equal(points[0].smoothed, 1.507)
    assert.ok(points.slice(1).every((p) => p.smoothed > 1.57), 'every later smoothed loss is above the first batch')
    assert.equal(curveFell(points), true)

    const s = suggestLrs(points)
    // The smoothed loss peaks at i = 11 (1.705, lr 7.6e-7), falls to its minimum at i = 59 (1.576, lr 5.2e-3), then blows up.
    for (const name of ['valley', 'steep'] as const) {
      const index = s[name]!.index
      assert.ok(index > 11 && index < 59, `${name} at i = ${index} is not in the fall`)
    }
    assert.equal(s.valley!.index, 35)
    close(s.valley!.lr, ramp(35)) // 6.3e-5, the middle of the fall
    assert.equal(s.steep!.index, 54)
    close(s.steep!.lr, ramp(54)) // 2.1e-3, where the raw loss drops to ~1.35
    assert.equal(s.minimum!.index, 59)
    close(s.minimum!.lr, ramp(59) / 10)
    const anchor = anchorSuggestion(s)
    assert.equal(anchor?.name, 'valley')
    assert.deepEqual(sweepCandidates(anchor!.suggestion.lr, 4), [3e-6, 1e-5, 3e-5, 1e-4])
  })

  it('an early rise that lasts into the window, then a fall that ends above the window\'s first point, still suggests', () => {
    // Smoothed curve on fastai's 100-point ramp: 2.0 at the window's start (i = 10), up to 2.1 by
    // i = 30, down to 1.99 at i = 70 (0.5% below the window's start, 5% below the peak), then up.
    const shape = (i: number) => (i <= 30 ? 2 + 0.1 * Math.max(0, i - 10) / 20 : i <= 70 ? 2.1 - 0.11 * (i - 30) / 40 : 1.99 + 0.05 * (i - 70))
    const points = Array.from({length: 100}, (_, i) => ({lr: ramp(i), loss: shape(i), smoothed: i === 0 ? 1.5 : shape(i)}))
    const s = suggestLrs(points)
    assert.equal(s.minimum?.index, 70)
    assert.equal(s.valley?.index, 50)
    assert.ok(s.steep!.index > 30 && s.steep!.index < 70, `steep at i = ${s.steep!.index}`)
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
