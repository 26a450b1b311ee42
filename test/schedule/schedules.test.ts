import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {DEFAULT_CONFIG} from '../../src/config/defaults.js'
import {buildSchedule, scheduleValues, validateSchedule} from '../../src/schedule/build.js'
import type {ScheduleSpec} from '../../src/schedule/spec.js'

function near(actual: number[], expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length)
  actual.forEach((a, t) => assert.ok(Math.abs(a - expected[t]) <= tol * Math.max(1, Math.abs(expected[t])), `step ${t}: ${a} vs ${expected[t]}`))
}

const values = (spec: ScheduleSpec, lr: number, steps: number) => scheduleValues(spec, {lr, steps})
const half = (x: number) => (1 + Math.cos(Math.PI * x)) / 2

describe('each schedule type, hand-computed', () => {
  it('constant', () => near(values({type: 'constant'}, 3e-4, 3), [3e-4, 3e-4, 3e-4]))

  it('linear: decays from lr to 0 over the run by default (HF linear)', () => {
    near(values({type: 'linear'}, 1, 4), [1, 0.75, 0.5, 0.25])
    near(values({type: 'linear', startFactor: 0.5, endFactor: 1, totalIters: 2}, 1, 4), [0.5, 0.75, 1, 1])
  })

  it('cosine: tMax defaults to the run; an explicit tMax rises again after it, as in PyTorch', () => {
    near(values({type: 'cosine'}, 1, 4), [1, half(1 / 4), 0.5, half(3 / 4)])
    near(values({type: 'cosine', tMax: 2, minLr: 0.5}, 1, 5), [1, 0.75, 0.5, 0.75, 1])
  })

  it('cosine-restarts: cycles of t0·tMult^i, restarting at the base rate', () => {
    near(values({type: 'cosine-restarts', t0: 2, tMult: 2}, 1, 8), [1, 0.5, 1, half(1 / 4), 0.5, half(3 / 4), 1, half(1 / 8)])
    near(values({type: 'cosine-restarts', t0: 3}, 1, 7), [1, half(1 / 3), half(2 / 3), 1, half(1 / 3), half(2 / 3), 1])
  })

  it('step, multistep, exponential', () => {
    near(values({type: 'step', stepSize: 2, gamma: 0.5}, 1, 5), [1, 1, 0.5, 0.5, 0.25])
    near(values({type: 'step', stepSize: 2}, 1, 3), [1, 1, 0.1])
    near(values({type: 'multistep', milestones: [1, 3], gamma: 0.5}, 1, 5), [1, 0.5, 0.5, 0.25, 0.25])
    near(values({type: 'exponential', gamma: 0.5}, 2, 4), [2, 1, 0.5, 0.25])
  })

  it('polynomial: minLr is HF lr_end, reached at totalIters and held', () => {
    near(values({type: 'polynomial', power: 2, minLr: 0.2}, 1, 4), [1, 0.65, 0.4, 0.25])
    near(values({type: 'polynomial', totalIters: 2, minLr: 0.1}, 1, 4), [1, 0.55, 0.1, 0.1])
  })

  it('inverse-sqrt: base at the end of warmup, halved 3·timescale steps later', () => {
    const withWarmup = buildSchedule({type: 'inverse-sqrt', warmupSteps: 4}, {lr: 1, steps: 100})
    near([withWarmup(2), withWarmup(4), withWarmup(16)], [0.5, 1, 0.5])
    const noWarmup = buildSchedule({type: 'inverse-sqrt'}, {lr: 1, steps: 40_000})
    near([noWarmup(0), noWarmup(30_000)], [1, 0.5])
    near([buildSchedule({type: 'inverse-sqrt', timescale: 1}, {lr: 1, steps: 10})(3)], [0.5])
  })

  it('one-cycle: max/25 → max at pct·total−1, → max/25/1e4 at total−1', () => {
    const lr = values({type: 'one-cycle'}, 1, 10)
    near([lr[0], lr[1], lr[2], lr[9]], [0.04, 0.52, 1, 4e-6])
    // maxLr overrides lr as the peak; linear anneal; the rise ends at 0.5·5 − 1 = 1.5, between steps
    near(values({type: 'one-cycle', maxLr: 2, pctStart: 0.5, anneal: 'linear', divFactor: 4, finalDivFactor: 5}, 1, 5), [
      0.5, 1.5, 1.62, 0.86, 0.1,
    ])
  })

  it('wsd: stable at lr, then the decay shape over the last decay steps', () => {
    const spec = {type: 'wsd', warmupSteps: 2, decaySteps: 4, decayShape: 'linear'} as const
    near(values(spec, 1, 10), [0, 0.5, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25])
    near(values({...spec, decayShape: 'sqrt'}, 1, 10).slice(6), [1, 0.5, 1 - Math.sqrt(0.5), 1 - Math.sqrt(0.75)])
    near(values({...spec, decayShape: 'cosine', minLr: 0.2}, 1, 10).slice(6), [1, 0.2 + 0.8 * half(0.25), 0.6, 0.2 + 0.8 * half(0.75)])
    // default: decay over ceil(0.2·steps), cosine; after the run it holds minLr
    const resolved = validateSchedule({type: 'wsd', minLr: 0.1}, {lr: 1, steps: 100})
    assert.deepEqual(resolved.params, {stableSteps: 80, decaySteps: 20, decayShape: 'cosine', minLr: 0.1})
    near([resolved.lrAt(79), resolved.lrAt(80), resolved.lrAt(90), resolved.lrAt(500)], [1, 1, 0.55, 0.1])
  })
})

describe('warmup', () => {
  it('warmup + cosine equals the rule of DESIGN.md exactly', () => {
    const [lr, min, start, total, warmup] = [1e-3, 1e-5, 1e-4, 50, 7]
    const rule = (step: number) =>
      step < warmup
        ? start + ((lr - start) * step) / warmup
        : min + 0.5 * (lr - min) * (1 + Math.cos((Math.PI * (step - warmup)) / (total - warmup)))
    const ours = scheduleValues({type: 'cosine', minLr: min, warmupSteps: warmup, warmupStartLr: start}, {lr, steps: total})
    near(ours, Array.from({length: total}, (_, t) => rule(t)), 1e-15)
    assert.equal(ours[0], start)
    assert.equal(ours[warmup], lr)
  })

  it('warmupRatio is ceil(r·steps), without float noise; warmupSteps wins', () => {
    const warmupOf = (spec: Partial<ScheduleSpec>, steps: number) => validateSchedule({type: 'constant', ...spec}, {lr: 1, steps}).warmup.steps
    assert.equal(warmupOf({warmupRatio: 0.1}, 25), 3)
    assert.equal(warmupOf({warmupRatio: 0.05}, 10), 1)
    assert.equal(warmupOf({warmupRatio: 0.07}, 100), 7) // 0.07·100 is 7.000000000000001 in floats
    assert.equal(warmupOf({warmupRatio: 0.29}, 100), 29)
    assert.equal(warmupOf({warmupRatio: 0.1, warmupSteps: 5}, 100), 5)
    assert.equal(warmupOf({warmupRatio: 0}, 100), 0)
  })

  it('starts at warmupStartLr (default 0) and reaches lr when the wrapped schedule starts', () => {
    near(values({type: 'constant', warmupSteps: 4}, 1, 6), [0, 0.25, 0.5, 0.75, 1, 1])
    near(values({type: 'constant', warmupSteps: 2, warmupStartLr: 0.5}, 1, 3), [0.5, 0.75, 1])
  })

  it("restarts the wrapped schedule's step counter at 0 (SequentialLR): lengths count after warmup", () => {
    near(values({type: 'step', stepSize: 2, gamma: 0.5, warmupSteps: 2}, 1, 7), [0, 0.5, 1, 1, 0.5, 0.5, 0.25])
    near(values({type: 'multistep', milestones: [1], warmupSteps: 1}, 1, 3), [0, 1, 0.1])
    near(values({type: 'linear', warmupSteps: 2}, 1, 6), [0, 0.5, 1, 0.75, 0.5, 0.25])
    // one-cycle over the steps after warmup: ramps to lr, then starts the cycle at max/25
    near(values({type: 'one-cycle', warmupSteps: 2, pctStart: 0.5}, 1, 6).slice(0, 3), [0, 0.5, 0.04])
  })

  it('the default sweep schedule (cosine, 10% warmup) resolves', () => {
    const s = validateSchedule(DEFAULT_CONFIG.sweep.schedule, {lr: 5e-5, steps: 300})
    assert.equal(s.warmup.steps, 30)
    assert.deepEqual(s.params, {tMax: 270, minLr: 0})
  })
})

describe('the rate function', () => {
  it('refuses steps that are not integers ≥ 0', () => {
    const lrAt = buildSchedule({type: 'constant'}, {lr: 1, steps: 3})
    assert.throws(() => lrAt(-1), RangeError)
    assert.throws(() => lrAt(1.5), RangeError)
  })

  it('scheduleValues has one value per step; run values override the spec', () => {
    assert.equal(scheduleValues({type: 'constant', lr: 1, steps: 10}, {steps: 4}).length, 4)
    assert.deepEqual(scheduleValues({type: 'constant', lr: 1, steps: 2}, {lr: 2}), [2, 2])
  })
})
