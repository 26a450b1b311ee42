import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {EvaluatorDescriptor} from '../../src/eval/configured-evaluator.js'
import {compareEvaluations, type EvaluationData} from '../../src/gate/compare.js'
import {rowMessage} from '../../src/gate/row-message.js'
import {rowPValue} from '../../src/gate/row-test.js'
import {judge, ruleLimit} from '../../src/gate/rule.js'
import type {StoredRecord} from '../../src/store/evaluations.js'

// Deltas that are +2.0 pt on paper but land on either side of 0.02 in floating point.
const ABOVE = 0.07 - 0.05 // 0.020000000000000004
const BELOW = 0.12 - 0.1 // 0.01999999999999999
const EVALUATORS: EvaluatorDescriptor[] = [{metric: 'relevance', name: 'relevance', source: 'builtin', direction: 'higher', aggregation: 'mean', version: '2'}]
const options = {confidence: 0.95, resamples: 2000, seed: 7, onSharedRecords: false}

/** 100 records of one OOD cohort, the first `failed` of them failed (relevance 0, thresholded). */
function evaluation(id: number, failed: number): EvaluationData {
  const records = new Map<string, StoredRecord>()
  for (let i = 0; i < 100; i++) {
    const f = i < failed
    records.set(`ood:motion-${i}`, {id: `ood:motion-${i}`, cohort: 'ood:motion', nll: null, tokens: null, failed: f, scores: new Map([['relevance', {value: f ? 0 : 1, passed: !f}]])})
  }
  return {
    row: {id, label: `e${id}`, datasetId: 1, datasetHash: 'h', datasetRef: 't@1', source: 'outputs', modelDir: null, outputsFile: null, runId: null, candidateId: null, evaluators: EVALUATORS, seed: 1, backend: null, createdAt: ''},
    records,
  }
}

describe('an estimate at the limit, up to floating-point rounding, is at the limit', () => {
  const failRise = ruleLimit({metric: 'failRate', maxRise: 0.02})
  const relevanceDrop = ruleLimit({metric: 'relevance', maxDrop: 0.02})
  const minGain = ruleLimit({metric: 'relevance', minGain: 0})

  it('the deltas of the report really straddle 0.02', () => {
    assert.ok(ABOVE > 0.02 && BELOW < 0.02)
  })

  it('fail rates 5% → 7% and 10% → 12% (delta +2.0 pt either side of 0.02) get the same verdict and the same words', () => {
    const rule = [{cohorts: 'ood:*', metric: 'failRate', maxRise: 0.02}]
    const above = compareEvaluations(evaluation(1, 5), evaluation(2, 7), rule, options).results[0]
    const below = compareEvaluations(evaluation(1, 10), evaluation(2, 12), rule, options).results[0]
    assert.equal(above.delta, ABOVE)
    assert.equal(below.delta, BELOW)
    for (const r of [above, below]) {
      assert.deepEqual([r.status, r.inconclusive, r.recordsNeeded, r.pValue], ['pass', true, null, 0.5])
      assert.match(r.message, /^cohort too small to show the limit holds: the 95% CI \[.*\] reaches past the limit \+2\.0 pt, and the estimate \+2\.0 pt is so close to the limit that over 100 times these records would be needed \(have 100\)$/)
    }
    const withoutInterval = (m: string) => m.replace(/CI \[[^\]]*\]/, 'CI […]')
    assert.equal(withoutInterval(above.message), withoutInterval(below.message))
  })

  it('judge and rowMessage: the same judgement and message on either side of the limit, for every kind of limit', () => {
    const cases: Array<[typeof failRise, number, number, string]> = [
      [failRise, ABOVE, BELOW, 'failRate'],
      [relevanceDrop, 0.05 - 0.07, 0.1 - 0.12, 'relevance'],
      [minGain, 0.1 + 0.2 - 0.3, 0.3 - 0.2 - 0.1, 'relevance'], // 5.6e-17 and -2.8e-17
    ]
    for (const [limit, a, b, metric] of cases) {
      assert.notEqual(a, b)
      const said = (delta: number) => {
        const row = {delta, ciLow: delta - 0.05, ciHigh: delta + 0.05, records: 100, adjustedP: 0.9}
        const j = judge(limit, row, 0.05)
        const message = rowMessage({metric, relative: false, limit, records: 100, confidence: 0.95, tested: 1, selected: 0}, {...row, ciLow: limit.bound - 0.05, ciHigh: limit.bound + 0.05}, j)
        return {j, message}
      }
      const [x, y] = [said(a), said(b)]
      assert.deepEqual(x, y)
      assert.equal(x.j.inconclusive, true)
      assert.equal(x.j.recordsNeeded, undefined)
      assert.match(x.message, /so close to the limit that over 100 times these records would be needed \(have 100\)$/)
    }
  })

  it('an interval end at the limit, either side of it by rounding, is within it: a plain pass', () => {
    for (const end of [ABOVE, BELOW]) {
      assert.deepEqual(judge(failRise, {delta: 0.01, ciLow: -0.01, ciHigh: end, records: 100, adjustedP: 0.9}, 0.05), {status: 'pass', inconclusive: false})
    }
  })

  it('rowPValue: an estimate at the limit has z = 0, and with no spread it is within (p 1), not untestable', () => {
    const p = (delta: number, se: number) => rowPValue(failRise, {delta, se, n: 100})
    assert.equal(p(ABOVE, 0.03), p(BELOW, 0.03))
    assert.equal(p(ABOVE, 0.03), 0.5)
    assert.equal(p(ABOVE, 0), 1)
    assert.equal(p(BELOW, 0), 1)
    // a real excess with no spread still cannot be tested
    assert.equal(p(0.03, 0), null)
  })
})
