import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {GateRule} from '../../src/config/eval-schema.js'
import type {EvaluatorDescriptor} from '../../src/eval/configured-evaluator.js'
import {compareEvaluations, type EvaluationData} from '../../src/gate/compare.js'
import {conditionalHolmAdjust, holmAdjust, MIN_RECORDS, rowPValue} from '../../src/gate/row-test.js'
import {jackknifeSkew, pairedDelta} from '../../src/statistics/paired-bootstrap.js'
import {meanSamples, perplexitySamples} from '../../src/statistics/statistic.js'
import {normalCdf, tCdf, tQuantile} from '../../src/gate/student-t.js'
import type {StoredRecord} from '../../src/store/evaluations.js'
import {seededRng} from '../../src/util/rng.js'

const close = (a: number, b: number, rel = 1e-6) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} vs ${b}`)
const EVALUATORS: EvaluatorDescriptor[] = [{metric: 'relevance', name: 'relevance', source: 'builtin', direction: 'higher', aggregation: 'mean', version: '2'}]

/** An in-memory evaluation: cohort → relevance per record (ids `<cohort>-<i>`). */
function evaluation(id: number, cohorts: Record<string, number[]>): EvaluationData {
  const records = new Map<string, StoredRecord>()
  for (const [cohort, values] of Object.entries(cohorts)) {
    for (const [i, value] of values.entries()) {
      records.set(`${cohort}-${i}`, {id: `${cohort}-${i}`, cohort, nll: null, tokens: null, failed: false, scores: new Map([['relevance', {value, passed: null}]])})
    }
  }
  return {
    row: {id, label: `e${id}`, datasetId: 1, datasetHash: 'h', datasetRef: 't@1', source: 'outputs', modelDir: null, outputsFile: null, runId: null, candidateId: null, evaluators: EVALUATORS, seed: 1, backend: null, createdAt: ''},
    records,
  }
}
const options = {confidence: 0.95, resamples: 2000, seed: 7, onSharedRecords: false}
const oodRule: GateRule[] = [{cohorts: 'ood:*', metric: 'relevance', maxDrop: 0.02}]

describe('Student t and Holm', () => {
  it('match R: pt(-2, 10), pt(-2, 3), pt(1, 1), qt(0.975, 10), qt(0.95, 5); closed forms; the normal limit', () => {
    close(tCdf(-2, 10), 0.03669402)
    close(tCdf(-2, 3), 0.06966298)
    close(tCdf(1, 1), 0.75)
    close(tQuantile(0.975, 10), 2.228139)
    close(tQuantile(0.95, 5), 2.015048)
    close(tCdf(-3, Number.POSITIVE_INFINITY), 0.001349898)
    close(normalCdf(-6), 9.865876e-10, 1e-5)
    // closed forms: df 2 → 1/2 + t/(2√(2+t²)); df 1 (Cauchy) → 1/2 + atan(t)/π
    close(tCdf(-12, 2), 0.5 - 12 / (2 * Math.sqrt(146)), 1e-9)
    close(tCdf(-300, 1), 0.5 + Math.atan(-300) / Math.PI, 1e-9)
    // far below 1/2000, as Holm over thousands of rows needs
    assert.ok(tCdf(-12, 99) > 0 && tCdf(-12, 99) < 1e-20)
  })

  it('Holm: step-down, monotone, untested rows stay untested', () => {
    const adjusted = holmAdjust([0.01, 0.04, null, 0.03])
    assert.deepEqual(adjusted.map((p) => (p === null ? null : Number(p.toFixed(12)))), [0.03, 0.06, null, 0.06])
  })

  it('conditional Holm: rows with p above τ are set aside, the rest are Holm over m′ on p/τ; τ = 1 is Holm', () => {
    const {adjusted, selected} = conditionalHolmAdjust([0.01, 0.9, null, 0.2], 0.5)
    assert.equal(selected, 2)
    assert.deepEqual(adjusted.map((p) => (p === null ? null : Number(p.toFixed(12)))), [0.04, 1, null, 0.4])
    assert.deepEqual(conditionalHolmAdjust([0.01, 0.04, null, 0.03], 1).adjusted.map((p) => (p === null ? null : Number(p.toFixed(12)))), [0.03, 0.06, null, 0.06])
    // one regressed row among 14 far inside their limits is tested at τα/1, not α/15
    const ps = [0.02, ...Array.from({length: 14}, () => 0.999)]
    assert.ok(conditionalHolmAdjust(ps, 0.5).adjusted[0]! <= 0.05)
    assert.ok(holmAdjust(ps)[0]! > 0.05)
  })

  it('jackknife skewness: for a mean it is the sample skewness over √n; 0 for symmetric or constant differences', () => {
    const x = [0, 0, 0, 0.1, 0.2, 0.9, 0.05, 0, 0.4, 1]
    const n = x.length
    const mean = x.reduce((a, b) => a + b, 0) / n
    const m2 = x.reduce((a, b) => a + (b - mean) ** 2, 0) / n
    const m3 = x.reduce((a, b) => a + (b - mean) ** 3, 0) / n
    const zeros = meanSamples(x.map(() => 0))
    close(jackknifeSkew({baseline: zeros, candidate: meanSamples(x), relative: false}), m3 / m2 ** 1.5 / Math.sqrt(n), 1e-9)
    assert.equal(jackknifeSkew({baseline: zeros, candidate: meanSamples([1, 2, 3, 4, 5]), relative: false}), 0)
    assert.equal(jackknifeSkew({baseline: zeros, candidate: meanSamples([2, 2, 2, 2]), relative: false}), 0)
    // a ratio statistic (perplexity) is skewed the way its log-normal-ish records are
    const rng = seededRng(3)
    const nll = Array.from({length: 200}, () => 20 * Math.exp(rng.normal()))
    const tokens = nll.map(() => 10)
    assert.ok(jackknifeSkew({baseline: perplexitySamples(nll.map(() => 20), tokens), candidate: perplexitySamples(nll, tokens), relative: true}) > 0.05)
  })

  it('0/1 scores (a lattice): Hall\'s correction may make a row more cautious, never less', () => {
    const limit = {kind: 'maxRise' as const, bound: 0.02, side: 'atMost' as const}
    // a right-skewed estimate tested on its light (upper) side: Hall alone would give the smaller p
    const row = {delta: 0.14, se: 0.045, skew: 0.16, n: 100}
    const hall = rowPValue(limit, row)!
    const plain = rowPValue(limit, {...row, skew: 0})!
    assert.ok(hall < plain)
    assert.equal(rowPValue(limit, {...row, lattice: true}), plain)
    // on the heavy (lower) side Hall is the cautious one, and stays
    const drop = {kind: 'maxDrop' as const, bound: -0.02, side: 'atLeast' as const}
    const low = {delta: -0.14, se: 0.045, skew: 0.16, n: 100}
    assert.ok(rowPValue(drop, low)! > rowPValue(drop, {...low, skew: 0})!)
    assert.equal(rowPValue(drop, {...low, lattice: true}), rowPValue(drop, low))
    // fail-rate samples are recognised as lattice, relevance scores are not
    const fails = meanSamples(Array.from({length: 40}, (_, i) => (i % 7 === 0 ? 1 : 0)))
    const fewer = meanSamples(Array.from({length: 40}, (_, i) => (i % 9 === 0 ? 1 : 0)))
    assert.equal(pairedDelta(fewer, fails, {seed: 1, resamples: 200, relative: false}).lattice, true)
    assert.equal(pairedDelta(meanSamples([0.1, 0.5, 0.2, 0.9]), meanSamples([0.2, 0.4, 0.2, 0.8]), {seed: 1, resamples: 200, relative: false}).lattice, undefined)
  })

  it('a row p-value is a studentized tail against the row\'s own limit', () => {
    const limit = {kind: 'maxDrop' as const, bound: -0.02, side: 'atLeast' as const}
    close(rowPValue(limit, {delta: -0.04, se: 0.01, n: 21})!, tCdf(-2, 20))
    assert.equal(rowPValue(limit, {delta: -0.6, se: 0, n: 1}), null)
    assert.equal(rowPValue(limit, {delta: -0.6, se: 0, n: 40}), null)
    assert.equal(rowPValue(limit, {delta: 0, se: 0, n: 40}), 1)
    assert.equal(rowPValue({kind: 'maxRise', bound: 0.05, side: 'atMost'}, {delta: Number.POSITIVE_INFINITY, se: Number.NaN, n: 30}), 0)
  })
})

describe('tiny cohorts are inconclusive, never failed', () => {
  it('one record whose candidate drops 0.6 in relevance (baseline = reference): inconclusive, needs 20 records, the check passes', () => {
    const report = compareEvaluations(evaluation(1, {'ood:one': [1]}), evaluation(2, {'ood:one': [0.4]}), oodRule, options)
    const row = report.results[0]
    assert.equal(report.verdict, 'pass')
    assert.deepEqual([row.status, row.inconclusive, row.recordsNeeded, row.pValue, row.adjustedP, row.decided], ['pass', true, MIN_RECORDS, null, null, false])
    assert.match(row.message, /^too few records to test: 1 paired records \(delta -0\.600\) cannot give a trustworthy interval; at least 20 are needed/)
  })

  it('40 records that all drop by exactly 0.6 (no spread): inconclusive, not a fail', () => {
    const report = compareEvaluations(evaluation(1, {'ood:same': Array(40).fill(0.9)}), evaluation(2, {'ood:same': Array(40).fill(0.3)}), oodRule, options)
    assert.equal(report.verdict, 'pass')
    assert.deepEqual([report.results[0].status, report.results[0].inconclusive], ['pass', true])
    assert.match(report.results[0].message, /all 40 paired differences are equal \(delta -0\.600\)/)
  })

  it('19 records falling by 0.5 with noise are still too few; the same fall over 20 records fails', () => {
    const rng = seededRng(3)
    const noisy = (n: number) => Array.from({length: n}, () => 0.3 + 0.1 * rng.normal())
    const few = compareEvaluations(evaluation(1, {'ood:s': Array(19).fill(0.8)}), evaluation(2, {'ood:s': noisy(19)}), oodRule, options)
    assert.equal(few.verdict, 'pass')
    const enough = compareEvaluations(evaluation(1, {'ood:s': Array(20).fill(0.8)}), evaluation(2, {'ood:s': noisy(20)}), oodRule, options)
    assert.equal(enough.verdict, 'fail')
    assert.equal(enough.results[0].decided, true)
  })
})

describe('family-wise error control', () => {
  it('500 cohorts with one truly regressed: only that row fails, on a p-value far below 1/resamples', () => {
    const rng = seededRng(11)
    const base: Record<string, number[]> = {}
    const cand: Record<string, number[]> = {}
    for (let c = 0; c < 500; c++) {
      const name = `ood:c${String(c).padStart(3, '0')}`
      base[name] = Array.from({length: 30}, () => 0.5 + 0.2 * rng.normal())
      cand[name] = base[name].map((v) => v + (c === 123 ? -0.3 : 0) + 0.1 * rng.normal())
    }
    const report = compareEvaluations(evaluation(1, base), evaluation(2, cand), oodRule, options)
    assert.equal(report.verdict, 'fail')
    const failed = report.results.filter((r) => r.status === 'fail')
    assert.deepEqual(failed.map((r) => r.cohort), ['ood:c123'])
    assert.ok(failed[0].pValue! < 1 / options.resamples / 1000, `p ${failed[0].pValue}`)
    assert.ok(failed[0].adjustedP! <= 0.05 && failed[0].decided)
    assert.ok(report.results.filter((r) => r.status !== 'fail').every((r) => !r.decided && r.adjustedP !== null && r.adjustedP > 0.05))
  })

  it('equally good models on 5 target cohorts (non-inferiority margin 0.01): no false fail in 40 seeds', () => {
    const rules: GateRule[] = [{cohorts: 'target:*', metric: 'relevance', maxDrop: 0.01}]
    let fails = 0
    for (let seed = 0; seed < 40; seed++) {
      const rng = seededRng(seed)
      const base: Record<string, number[]> = {}
      const cand: Record<string, number[]> = {}
      for (let c = 0; c < 5; c++) {
        base[`target:t${c}`] = Array.from({length: 120}, () => Math.min(1, Math.max(0, 0.86 + 0.08 * rng.normal())))
        cand[`target:t${c}`] = Array.from({length: 120}, () => Math.min(1, Math.max(0, 0.86 + 0.08 * rng.normal())))
      }
      if (compareEvaluations(evaluation(1, base), evaluation(2, cand), rules, {...options, seed}).verdict === 'fail') fails++
    }
    assert.equal(fails, 0)
  })
})
