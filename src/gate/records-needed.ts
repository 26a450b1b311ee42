import {type LimitBound, limitMargin} from './limit-tolerance.js'
import {MIN_RECORDS} from './row-test.js'

/**
 * Past this many times the records at hand, the records needed are not given as a number: the
 * estimate n·(h/m)² grows without bound as the estimate nears the limit (1.15e34 for an estimate
 * 1e-17 inside it), and no one adds 100 times their data to settle one row.
 */
export const RECORDS_NEEDED_CAP = 100

/**
 * How many records would settle an inconclusive row, if the estimate stayed put:
 * - `about`: n·(h/m)², rounded up, at most RECORDS_NEEDED_CAP × n;
 * - `over`: more than `records` (= RECORDS_NEEDED_CAP × n): the estimate is at the limit or too close to it;
 * - `atLeast`: the row had too few records to be tested at all (MIN_RECORDS);
 * - `never`: the estimate is beyond the limit, so no number of records would show the limit holds;
 * - `unknown`: the row cannot say (no spread, or a row stored without the numbers).
 */
export type RecordsNeeded =
  | {kind: 'about' | 'over' | 'atLeast'; records: number}
  | {kind: 'never' | 'unknown'}

/**
 * The estimate of docs/gate.md ("Too small to tell"): half-widths shrink as 1/√n, so an interval of
 * half-width h on the limit's side, around an estimate m inside the limit, clears it at n·(h/m)² records.
 * `margin` is limitMargin's (0 at the limit within the tolerance, < 0 beyond it).
 *
 * @example estimateRecordsNeeded(100, 0.04, 0.01) // {kind: 'about', records: 1600}
 * @example estimateRecordsNeeded(100, 0.04, 1e-17) // {kind: 'over', records: 10000}
 */
export function estimateRecordsNeeded(records: number, halfWidth: number, margin: number): RecordsNeeded {
  if (Number.isNaN(margin) || Number.isNaN(halfWidth)) return {kind: 'unknown'}
  if (margin < 0) return {kind: 'never'}
  const cap = RECORDS_NEEDED_CAP * records
  const estimate = margin === 0 ? Number.POSITIVE_INFINITY : Math.ceil(records * (halfWidth / margin) ** 2)
  return estimate > cap ? {kind: 'over', records: cap} : {kind: 'about', records: estimate}
}

/** The numbers of a gate row (computed or stored) that recordsNeededOf reads. */
export interface SettleRow {
  status: string
  inconclusive: boolean | null
  delta: number | null
  ciLow: number | null
  ciHigh: number | null
  limit: number | null
  limitSide: 'atLeast' | 'atMost' | null
  records: number | null
  adjustedP: number | null
}

/**
 * The records that would settle a row, from its own numbers: what judge decided when it was computed,
 * and what every renderer (check's message, the sweep summary, JUnit, the HTML report, the JSON) says.
 * Undefined for a row that is not an inconclusive pass.
 */
export function recordsNeededOf(row: SettleRow): RecordsNeeded | undefined {
  if (row.status !== 'pass' || row.inconclusive !== true) return undefined
  if (row.records !== null && row.records < MIN_RECORDS) return {kind: 'atLeast', records: MIN_RECORDS}
  const {delta, ciLow, ciHigh, limit, limitSide, records} = row
  if (delta === null || ciLow === null || ciHigh === null || limit === null || limitSide === null || records === null || row.adjustedP === null) return {kind: 'unknown'}
  const bound: LimitBound = {bound: limit, side: limitSide}
  return estimateRecordsNeeded(records, limitSide === 'atLeast' ? delta - ciLow : ciHigh - delta, limitMargin(delta, bound))
}

/**
 * The JSON fields of an estimate: `recordsNeeded` the count (about, or at least MIN_RECORDS for an
 * untested row), else null; `recordsNeededOver` RECORDS_NEEDED_CAP × records when the estimate is past
 * that cap, else null.
 */
export function recordsNeededFields(need: RecordsNeeded | undefined): {recordsNeeded: number | null; recordsNeededOver: number | null} {
  if (need === undefined) return {recordsNeeded: null, recordsNeededOver: null}
  if (need.kind === 'about' || need.kind === 'atLeast') return {recordsNeeded: need.records, recordsNeededOver: null}
  return {recordsNeeded: null, recordsNeededOver: need.kind === 'over' ? need.records : null}
}

/**
 * The estimate back from its JSON fields (recordsNeededFields), for a reader that kept only those, such
 * as the sweep summary's inconclusive rows; a row beyond its limit reads as `unknown`.
 */
export function recordsNeededFromFields(f: {recordsNeeded: number | null; recordsNeededOver?: number | null; records: number | null}): RecordsNeeded {
  if (f.recordsNeededOver !== undefined && f.recordsNeededOver !== null) return {kind: 'over', records: f.recordsNeededOver}
  if (f.recordsNeeded === null) return {kind: 'unknown'}
  if (f.records !== null && f.records < MIN_RECORDS) return {kind: 'atLeast', records: f.recordsNeeded}
  // A count past the cap (stored before the cap existed) reads as over it.
  if (f.records !== null && f.recordsNeeded > RECORDS_NEEDED_CAP * f.records) return {kind: 'over', records: RECORDS_NEEDED_CAP * f.records}
  return {kind: 'about', records: f.recordsNeeded}
}

/**
 * The words for an estimate, the same in check's message, the sweep summary, JUnit and the HTML report
 * (each adds the records it has, e.g. "(have 20)").
 *
 * @example recordsNeededWords({kind: 'about', records: 1417}) // "about 1,417 records would be needed"
 * @example recordsNeededWords({kind: 'over', records: 10000}) // "over 100 times these records would be needed"
 */
export function recordsNeededWords(need: RecordsNeeded): string {
  switch (need.kind) {
    case 'about': {
      return `about ${need.records.toLocaleString('en-US')} records would be needed`
    }
    case 'over': {
      return `over ${RECORDS_NEEDED_CAP} times these records would be needed`
    }
    case 'atLeast': {
      return `at least ${need.records.toLocaleString('en-US')} records are needed to test it`
    }
    case 'never': {
      return 'the estimate is beyond the limit, so no number of records would show it holds'
    }
    case 'unknown': {
      return 'more records would settle it'
    }
  }
}
