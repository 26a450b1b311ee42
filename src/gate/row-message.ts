import {formatDelta, formatInterval, formatP} from './format.js'
import {atLimit} from './limit-tolerance.js'
import {recordsNeededWords} from './records-needed.js'
import {SELECTION_TAU} from './row-test.js'
import type {Judgement, RuleLimit} from './rule.js'

/**
 * The sentence a gate row carries: why it failed (estimate, interval, conditional-Holm-adjusted p), that it is
 * within the limit, or — when it cannot show the limit holds — that the cohort is too small, with
 * about how many records would settle it.
 */
export function rowMessage(
  row: {metric: string; relative: boolean; limit: RuleLimit; records: number; confidence: number; tested: number; selected: number},
  d: {delta: number; ciLow: number; ciHigh: number; adjustedP: number | null},
  j: Judgement,
): string {
  const fmt = (v: number) => formatDelta(row.metric, row.relative, v)
  const ci = `${Math.round(row.confidence * 100)}% CI ${formatInterval(row.metric, row.relative, d.ciLow, d.ciHigh)}`
  const limit = fmt(row.limit.bound)
  const p = d.adjustedP === null ? '' : `, adjusted p ${formatP(d.adjustedP)} (conditional Holm: ${row.selected} of ${row.tested} rows with p ≤ ${SELECTION_TAU})`
  if (j.status === 'fail') {
    const side = row.limit.side === 'atLeast' ? 'below' : 'above'
    // The verdict is the adjusted p; the percentile interval is another statistic and can still
    // touch the limit of a row the test fails (docs/gate.md), so say "wholly" only when it is.
    const wholly = row.limit.side === 'atLeast' ? d.ciHigh < row.limit.bound : d.ciLow > row.limit.bound
    if (wholly) return `delta ${fmt(d.delta)} with ${ci} lies wholly ${side} the limit ${limit}${p} (${row.records} records)`
    return `delta ${fmt(d.delta)} is ${side} the limit ${limit} by more than chance explains${p}, though its ${ci} still reaches the limit (${row.records} records)`
  }
  if (j.untestable === 'few-records') {
    return `too few records to test: ${row.records} paired records (delta ${fmt(d.delta)}) cannot give a trustworthy interval; at least ${j.recordsNeeded} are needed, and until then the row never fails`
  }
  if (j.untestable === 'no-spread') {
    return `cannot be tested: all ${row.records} paired differences are equal (delta ${fmt(d.delta)}), so there is no spread to build an interval from; the row never fails on it — add records or check the outputs`
  }
  if (!j.inconclusive) return `within the limit${p} (${row.records} records)`
  const reach = `the ${ci} reaches past the limit ${limit}`
  if (j.recordsNeeded !== undefined) {
    return `cohort too small to show the limit holds: ${reach}; ${recordsNeededWords({kind: 'about', records: j.recordsNeeded})} (have ${row.records})`
  }
  if (j.recordsNeededOver !== undefined) {
    const words = recordsNeededWords({kind: 'over', records: j.recordsNeededOver})
    // An estimate at the limit within the tolerance reads as the limit (no "-0.000" against "+0.000" for one tie).
    const estimate = atLimit(d.delta, row.limit.bound) ? row.limit.bound : d.delta
    return `cohort too small to show the limit holds: ${reach}, and the estimate ${fmt(estimate)} is so close to the limit that ${words} (have ${row.records})`
  }
  return `cohort too small to decide: the estimate ${fmt(d.delta)} is already beyond the limit ${limit} but not far enough to fail${p} (${row.records} records)`
}
