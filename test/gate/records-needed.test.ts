import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {atLimit, limitMargin, withinLimit} from '../../src/gate/limit-tolerance.js'
import {estimateRecordsNeeded, recordsNeededOf, RECORDS_NEEDED_CAP} from '../../src/gate/records-needed.js'
import {rowMessage} from '../../src/gate/row-message.js'
import {judge, ruleLimit} from '../../src/gate/rule.js'
import {viewRows} from '../../src/gate/stored-report.js'
import type {GateRow} from '../../src/gate/types.js'
import {inconclusiveLines} from '../../src/report/sweep-table.js'
import {type CandidateSummary, inconclusiveRows} from '../../src/sweep/verdicts.js'

const failRise = ruleLimit({metric: 'failRate', maxRise: 0.02})

/** A failRate maxRise 0.02 row on 100 records, as compare builds it, with the judgement and message of the gate. */
function gateRow(delta: number, halfWidth: number): GateRow {
  const numbers = {delta, ciLow: delta - halfWidth, ciHigh: delta + halfWidth, records: 100, adjustedP: 0.9}
  const j = judge(failRise, numbers, 0.05)
  const message = rowMessage({metric: 'failRate', relative: false, limit: failRise, records: 100, confidence: 0.95, tested: 1, selected: 0}, numbers, j)
  return {
    rule: 'failRate maxRise 0.02', ruleIndex: 0, cohort: 'ood:grounded-motion', metric: 'failRate', baseline: 0.05, candidate: 0.05 + delta,
    ...numbers, limit: failRise.bound, limitKind: failRise.kind, limitSide: failRise.side, relative: false,
    status: j.status, inconclusive: j.inconclusive, recordsNeeded: j.recordsNeeded ?? null, pValue: 0.9, decided: false, message,
  }
}

describe('limit tolerance', () => {
  it('is relative to the limit, 1e-9 of it (of 1 for limits under 1)', () => {
    assert.ok(atLimit(0.07 - 0.05, 0.02) && atLimit(0.12 - 0.1, 0.02))
    assert.ok(!atLimit(0.02 + 1e-8, 0.02))
    assert.ok(atLimit(1e6 + 1e-4, 1e6) && !atLimit(1e6 + 1e-2, 1e6))
    assert.ok(atLimit(0.1 + 0.2 - 0.3, 0))
    assert.ok(!atLimit(5, Number.NEGATIVE_INFINITY))
    assert.equal(limitMargin(0.07 - 0.05, failRise), 0)
    assert.ok(withinLimit(0.07 - 0.05, failRise) && !withinLimit(0.0201, failRise))
  })
})

describe('records needed: one estimate, one cap, one wording', () => {
  it('n·(h/m)² within the cap; past it (or at the limit), only the cap', () => {
    assert.deepEqual(estimateRecordsNeeded(100, 0.04, 0.01), {kind: 'about', records: 1600})
    assert.deepEqual(estimateRecordsNeeded(100, 0.05, 2e-9), {kind: 'over', records: RECORDS_NEEDED_CAP * 100})
    assert.deepEqual(estimateRecordsNeeded(100, 0.05, 0), {kind: 'over', records: 10_000})
    assert.deepEqual(estimateRecordsNeeded(100, 0.05, -0.01), {kind: 'never'})
  })

  it('an astronomically large estimate: check says "over 100 times these records", the sweep summary says the same, the JSON has null and recordsNeededOver', () => {
    // 2e-9 inside the limit with a ±5 pt interval: n·(h/m)² = 100·(0.05/2e-9)² ≈ 6e16 records
    const row = gateRow(0.02 - 2e-9, 0.05)
    assert.equal(row.recordsNeeded, null)
    assert.match(row.message, /^cohort too small to show the limit holds: .*, and the estimate \+2\.0 pt is so close to the limit that over 100 times these records would be needed \(have 100\)$/)
    const [view] = viewRows([row])
    assert.deepEqual([view.recordsNeeded, view.recordsNeededOver], [null, 10_000])
    const inconclusive = inconclusiveRows(viewRows([row]))
    assert.deepEqual(inconclusive, [{rule: 'failRate maxRise 0.02', cohort: 'ood:grounded-motion', recordsNeeded: null, recordsNeededOver: 10_000, records: 100}])
    const [line] = inconclusiveLines([{label: 'lr-3e-5', inconclusive} as unknown as CandidateSummary])
    assert.match(line, /: over 100 times these records would be needed \(have 100\)$/)
    assert.ok(row.message.endsWith(line.slice(line.indexOf('over 100 times'))))
  })

  it('a row stored before the cap (recordsNeeded 1.15e34) is read back from its numbers', () => {
    const row = {...gateRow(0.02 - 1e-8, 0.05), recordsNeeded: 1.1529114753442353e34}
    assert.deepEqual(recordsNeededOf(row), {kind: 'over', records: 10_000})
    const [view] = viewRows([row])
    assert.deepEqual([view.recordsNeeded, view.recordsNeededOver], [null, 10_000])
  })

  it('a count within the cap reads the same in check and the sweep summary', () => {
    const row = gateRow(0.01, 0.04) // 100·(0.04/0.01)² = 1,600
    assert.equal(row.recordsNeeded, 1600)
    assert.match(row.message, /; about 1,600 records would be needed \(have 100\)$/)
    const [line] = inconclusiveLines([{label: 'lr-3e-5', inconclusive: inconclusiveRows(viewRows([row]))} as unknown as CandidateSummary])
    assert.match(line, /: about 1,600 records would be needed \(have 100\)$/)
  })

  it('too few records and an estimate beyond the limit keep their own words', () => {
    const few = {...gateRow(0.01, 0.04), records: 12, recordsNeeded: 20}
    assert.deepEqual(recordsNeededOf(few), {kind: 'atLeast', records: 20})
    assert.deepEqual(recordsNeededOf(gateRow(0.025, 0.04)), {kind: 'never'})
    assert.equal(recordsNeededOf(gateRow(0.001, 0.004)), undefined) // a plain pass
  })
})

describe('the message of a failed row', () => {
  const row = {metric: 'failRate', relative: false, limit: failRise, records: 100, confidence: 0.95, tested: 3, selected: 2}
  const fail = {status: 'fail', inconclusive: false} as const
  it('says the interval lies wholly beyond the limit only when it does', () => {
    assert.match(rowMessage(row, {delta: 0.1, ciLow: 0.05, ciHigh: 0.15, adjustedP: 0.001}, fail), /^delta \+10\.0 pt with 95% CI \[\+5\.0 pt, \+15\.0 pt\] lies wholly above the limit \+2\.0 pt, adjusted p/)
    // conditional Holm can fail a row whose percentile interval still touches the limit
    const touching = rowMessage(row, {delta: 0.08, ciLow: 0.02, ciHigh: 0.14, adjustedP: 0.03}, fail)
    assert.doesNotMatch(touching, /wholly/)
    assert.match(touching, /^delta \+8\.0 pt is above the limit \+2\.0 pt by more than chance explains, adjusted p .*, though its 95% CI \[\+2\.0 pt, \+14\.0 pt\] still reaches the limit \(100 records\)$/)
  })
})

