import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {meanSamples, perplexitySamples} from '../../src/statistics/statistic.js'
import {pairedDelta} from '../../src/statistics/paired-bootstrap.js'
import {judge, ruleLabel, ruleLimit} from '../../src/gate/rule.js'

describe('gate rule judgement', () => {
  const maxDrop = ruleLimit({metric: 'relevance', maxDrop: 0.02})
  const maxRise = ruleLimit({metric: 'perplexity', maxRise: 0.05, relative: true})
  const minGain = ruleLimit({metric: 'relevance', minGain: 0})

  it('turns limits into bounds on the delta and names rules', () => {
    assert.deepEqual(maxDrop, {kind: 'maxDrop', bound: -0.02, side: 'atLeast'})
    assert.deepEqual(maxRise, {kind: 'maxRise', bound: 0.05, side: 'atMost'})
    assert.deepEqual(minGain, {kind: 'minGain', bound: 0, side: 'atLeast'})
    assert.equal(ruleLabel({metric: 'perplexity', maxRise: 0.05, relative: true}), 'perplexity maxRise 0.05 relative')
    assert.equal(ruleLabel({metric: 'relevance', maxDrop: 0.02, name: 'OOD relevance'}), 'OOD relevance')
  })

  const row = (delta: number, ciLow: number, ciHigh: number, records: number, adjustedP: number | null) => ({delta, ciLow, ciHigh, records, adjustedP})

  it('fails when the Holm-adjusted p is at most alpha, whatever the interval', () => {
    assert.equal(judge(maxDrop, row(-0.2, -0.25, -0.15, 60, 1e-9), 0.05).status, 'fail')
    assert.equal(judge(maxDrop, row(-0.03, -0.05, -0.019, 60, 0.2), 0.05).status, 'pass')
    assert.equal(judge(maxRise, row(0.2, 0.06, 0.3, 60, 0.05), 0.05).status, 'fail')
    assert.equal(judge(minGain, row(-0.05, -0.08, 0.01, 60, 0.06), 0.05).status, 'pass')
    assert.deepEqual(judge(minGain, row(0, 0, 0, 60, 1), 0.05), {status: 'pass', inconclusive: false})
  })

  it('estimates the records needed when the interval crosses the limit: n·(h/m)²', () => {
    // delta -0.01 is 0.01 inside the limit -0.02; the lower half-width is 0.04 → 100·(0.04/0.01)² = 1600
    assert.deepEqual(judge(maxDrop, row(-0.01, -0.05, 0.03, 100, 0.3), 0.05), {status: 'pass', inconclusive: true, recordsNeeded: 1600})
    // maxRise: delta 0.02, upper half-width 0.06, margin 0.03 → 50·4 = 200
    assert.deepEqual(judge(maxRise, row(0.02, -0.01, 0.08, 50, 0.4), 0.05), {status: 'pass', inconclusive: true, recordsNeeded: 200})
    // the estimate itself beyond the limit: inconclusive, but no number of records would show it holds
    assert.deepEqual(judge(maxDrop, row(-0.03, -0.06, 0.01, 100, 0.2), 0.05), {status: 'pass', inconclusive: true})
  })

  it('never fails a row it could not test: too few records, or no spread', () => {
    assert.deepEqual(judge(maxDrop, row(-0.6, -0.6, -0.6, 1, null), 0.05), {status: 'pass', inconclusive: true, untestable: 'few-records', recordsNeeded: 20})
    assert.deepEqual(judge(maxDrop, row(-0.6, -0.6, -0.6, 40, null), 0.05), {status: 'pass', inconclusive: true, untestable: 'no-spread'})
  })
})

describe('paired bootstrap', () => {
  it('gives a zero-width interval when both sides are the same records and scores', () => {
    const s = meanSamples([0.1, 0.5, 0.9, 0.3])
    assert.deepEqual(pairedDelta(s, s, {seed: 1, resamples: 2000, relative: false}), {baseline: 0.45, candidate: 0.45, delta: 0, se: 0, skew: 0, n: 4, scale: 'linear', scaled: 0})
  })

  it('tests a relative change of positive statistics on the log scale: one diverged record no longer makes the spread meaningless', () => {
    // 29 of 30 records' perplexity rose from e² to e³ and one record diverged (nll 800 over 1 token):
    // on the ratio scale resamples holding it twice overflow the spread (se ~3e7), on the log scale
    // the row is an ordinary, clearly regressed one.
    const base = perplexitySamples(Array(30).fill(20), Array(30).fill(10))
    const cand = perplexitySamples(Array.from({length: 30}, (_, i) => (i === 0 ? 800 : 30)), Array.from({length: 30}, (_, i) => (i === 0 ? 1 : 10)))
    const d = pairedDelta(base, cand, {seed: 1, resamples: 2000, relative: true})
    assert.equal(d.scale, 'log')
    assert.ok(Math.abs(d.scaled - (1670 / 291 - 2)) < 1e-12)
    assert.ok(Math.abs(d.delta - (Math.exp(1670 / 291 - 2) - 1)) < 1e-9)
    assert.ok(d.se > 0.5 && d.se < 5, `se ${d.se}`)
    // a relative change of a score that can be 0 stays on the linear scale
    assert.equal(pairedDelta(meanSamples([0, 0.5, 1, 0.2]), meanSamples([0, 0, 0, 0.3]), {seed: 1, resamples: 200, relative: true}).scale, 'linear')
  })

  it('is seeded: the same seed gives the same interval, another seed another one', () => {
    const b = meanSamples(Array.from({length: 50}, (_, i) => (i * 37) % 11 / 10))
    const c = meanSamples(Array.from({length: 50}, (_, i) => (i * 53) % 13 / 12))
    const o = {resamples: 2000, relative: false}
    assert.deepEqual(pairedDelta(b, c, {...o, seed: 3}), pairedDelta(b, c, {...o, seed: 3}))
    assert.notDeepEqual(pairedDelta(b, c, {...o, seed: 3}), pairedDelta(b, c, {...o, seed: 4}))
  })

  it('computes perplexity deltas as a ratio of sums, relative to the baseline', () => {
    // baseline exp(6/4), candidate exp(8/4): relative change exp(0.5) - 1
    const d = pairedDelta(perplexitySamples([2, 4], [1, 3]), perplexitySamples([3, 5], [1, 3]), {seed: 1, resamples: 500, relative: true})
    assert.ok(Math.abs(d.baseline - Math.exp(1.5)) < 1e-12)
    assert.ok(Math.abs(d.delta - (Math.exp(0.5) - 1)) < 1e-12)
    assert.ok(d.se > 0)
  })

  it('a paired standard error is ~0 when the change is uniform, however spread the scores are', () => {
    const base = Array.from({length: 100}, (_, i) => (i % 10) / 10)
    const d = pairedDelta(meanSamples(base), meanSamples(base.map((v) => v - 0.03)), {seed: 2, resamples: 2000, relative: false})
    assert.ok(Math.abs(d.delta + 0.03) < 1e-12 && d.se === 0, `${d.delta} ${d.se}`)
  })

  it('the bootstrap standard error of a mean matches sd/√n (within bootstrap noise)', () => {
    const diffs = Array.from({length: 200}, (_, i) => ((i * 7919) % 101) / 100 - 0.5)
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length
    const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1))
    const d = pairedDelta(meanSamples(diffs.map(() => 0)), meanSamples(diffs), {seed: 5, resamples: 4000, relative: false})
    assert.ok(Math.abs(d.se / (sd / Math.sqrt(200)) - 1) < 0.05, `${d.se} vs ${sd / Math.sqrt(200)}`)
  })
})
