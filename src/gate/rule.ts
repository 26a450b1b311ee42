import type {GateRule} from '../config/eval-schema.js'
import {limitMargin, withinLimit} from './limit-tolerance.js'
import {estimateRecordsNeeded} from './records-needed.js'
import {MIN_RECORDS} from './row-test.js'

export type LimitKind = 'maxDrop' | 'maxRise' | 'minGain'

/**
 * A rule's limit as a bound on the delta (candidate − baseline, or relative):
 * maxDrop L → delta ≥ −L; minGain G → delta ≥ G; maxRise L → delta ≤ L.
 */
export interface RuleLimit {
  kind: LimitKind
  bound: number
  /** `atLeast` for maxDrop and minGain, `atMost` for maxRise. */
  side: 'atLeast' | 'atMost'
}

export function ruleLimit(rule: GateRule): RuleLimit {
  if (rule.maxDrop !== undefined) return {kind: 'maxDrop', bound: -rule.maxDrop, side: 'atLeast'}
  if (rule.maxRise !== undefined) return {kind: 'maxRise', bound: rule.maxRise, side: 'atMost'}
  return {kind: 'minGain', bound: rule.minGain ?? 0, side: 'atLeast'}
}

/**
 * The rule's human name: its `name`, else e.g. "relevance maxDrop 0.02" or
 * "perplexity maxRise 0.05 relative".
 */
export function ruleLabel(rule: GateRule): string {
  if (rule.name !== undefined) return rule.name
  const {kind} = ruleLimit(rule)
  const value = rule[kind]
  return `${rule.metric} ${kind} ${value}${rule.relative ? ' relative' : ''}`
}

export interface Judgement {
  status: 'pass' | 'fail'
  /** The interval crosses the limit, or the row cannot be tested: not a failure, but the data cannot show the limit holds. */
  inconclusive: boolean
  /** Why an untestable row is inconclusive: too few records, or every paired difference equal (no spread). */
  untestable?: 'few-records' | 'no-spread'
  /**
   * Records that would make the interval clear the limit if the estimate stayed put: half-widths shrink
   * as 1/√n, so n·(h/m)² where h is the interval's half-width on the limit's side and m the distance
   * from the estimate to the limit (estimateRecordsNeeded). Absent unless inconclusive with the estimate
   * inside the limit and the count at most RECORDS_NEEDED_CAP × records.
   */
  recordsNeeded?: number
  /** Instead of recordsNeeded when the estimate is at the limit or so close that over RECORDS_NEEDED_CAP × records would be needed: that cap. */
  recordsNeededOver?: number
}

/** A row's numbers as judge reads them. */
export interface RowNumbers {
  delta: number
  ciLow: number
  ciHigh: number
  records: number
  /** Holm-adjusted one-sided p-value of "within the limit"; null when the row could not be tested. */
  adjustedP: number | null
}

/**
 * Judges a row: it fails when its Holm-adjusted p-value is at most `alpha` (1 − confidence), so that
 * over all rows of a check P(any false fail) ≤ alpha. A row that could not be tested (fewer than
 * MIN_RECORDS records, or no spread with the estimate beyond the limit) never fails and is
 * inconclusive; so is a passing row whose interval reaches past the limit.
 *
 * @example judge({kind: 'maxDrop', bound: -0.02, side: 'atLeast'}, {delta: -0.2, ciLow: -0.25, ciHigh: -0.15, records: 60, adjustedP: 1e-9}, 0.05) // fail
 */
export function judge(limit: RuleLimit, row: RowNumbers, alpha: number): Judgement {
  const {delta, ciLow, ciHigh, records} = row
  const atLeast = limit.side === 'atLeast'
  if (row.adjustedP !== null && row.adjustedP <= alpha) return {status: 'fail', inconclusive: false}
  if (records < MIN_RECORDS) return {status: 'pass', inconclusive: true, untestable: 'few-records', recordsNeeded: MIN_RECORDS}
  if (row.adjustedP === null) return {status: 'pass', inconclusive: true, untestable: 'no-spread'}
  // The interval's end on the limit's side reaching past it; on the limit (within the tolerance) is within it.
  if (withinLimit(atLeast ? ciLow : ciHigh, limit)) return {status: 'pass', inconclusive: false}
  const need = estimateRecordsNeeded(records, atLeast ? delta - ciLow : ciHigh - delta, limitMargin(delta, limit))
  if (need.kind === 'about') return {status: 'pass', inconclusive: true, recordsNeeded: need.records}
  if (need.kind === 'over') return {status: 'pass', inconclusive: true, recordsNeededOver: need.records}
  return {status: 'pass', inconclusive: true}
}
