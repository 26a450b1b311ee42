import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {decideRung, lrMassSpent, rungSteps} from '../../src/sweep/halving.js'

describe('successive halving', () => {
  it('puts rungs at minSteps·eta^k inside the run', () => {
    assert.deepEqual(rungSteps(100, 25, 2), [25, 50])
    assert.deepEqual(rungSteps(300, 25, 4), [25, 100])
    assert.deepEqual(rungSteps(20, 25, 2), [])
  })

  it('keeps the best ceil(n/eta) by validation loss on synthetic curves', () => {
    // Eight learning rates: loss at the rung falls with lr up to 3e-4, then rises (too hot).
    const losses = [2.1, 1.9, 1.7, 1.5, 1.45, 1.6, 2.4, 3.9]
    const results = losses.map((valLoss, i) => ({label: `c${i}`, valLoss, probeChange: null}))
    const decisions = decideRung(results, 2, null)
    assert.deepEqual(decisions.filter((d) => d.keep).map((d) => d.label), ['c2', 'c3', 'c4', 'c5'])
    assert.match(decisions[0].reason, /ranks 6 of 8, outside the best 4/)
    assert.equal(decideRung(results, 4, null).filter((d) => d.keep).length, 2)
  })

  it('prunes candidates already forgetting past the gate first, then halves the rest', () => {
    const results = [
      {label: 'cool', valLoss: 1.9, probeChange: 0.004},
      {label: 'good', valLoss: 1.6, probeChange: 0.02},
      {label: 'warm', valLoss: 1.4, probeChange: 0.06},
      {label: 'hot', valLoss: 1.2, probeChange: 0.3},
    ]
    const decisions = decideRung(results, 2, 0.05)
    assert.deepEqual(decisions.map((d) => [d.label, d.keep]), [['cool', true], ['good', true], ['warm', false], ['hot', false]])
    assert.match(decisions[3].reason, /probe perplexity heads for \+30\.0%, beyond the gate's \+5\.0%/)
  })

  it('projects forgetting to the end of the schedule by the learning-rate mass spent', () => {
    // constant lr: half the steps spend half the mass
    assert.equal(lrMassSpent(() => 1, 50, 100), 0.5)
    // linear decay to 0 over 100 steps: the first 50 steps spend 3/4 of the mass
    assert.ok(Math.abs(lrMassSpent((t) => 1 - t / 100, 50, 100) - 37.75 / 50.5) < 1e-12)
    const decisions = decideRung(
      [
        {label: 'calm', valLoss: 1.7, probeChange: 0.015, projectedChange: 0.03},
        {label: 'drifting', valLoss: 1.5, probeChange: 0.035, projectedChange: 0.07},
      ],
      1.5,
      0.05,
    )
    assert.deepEqual(decisions.map((d) => d.keep), [true, false])
    assert.match(decisions[1].reason, /heads for \+7\.0% \(\+3\.5% so far\)/)
  })

  it('never prunes everything, and a NaN loss never survives', () => {
    const decisions = decideRung([{label: 'a', valLoss: Number.NaN, probeChange: null}, {label: 'b', valLoss: 3, probeChange: null}], 4, null)
    assert.deepEqual(decisions.map((d) => d.keep), [false, true])
  })
})
