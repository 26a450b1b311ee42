import {formatDelta, formatInterval} from './format.js'
import type {PairedDelta} from '../statistics/paired-bootstrap.js'
import type {Judgement, RuleLimit} from './rule.js'

/**
 * The sentence a gate row carries: why it failed, that it is within the limit, or — when the interval
 * crosses the limit — that the cohort is too small and about how many records would settle it.
 */
export function rowMessage(
  row: {metric: string; relative: boolean; limit: RuleLimit; records: number; confidence: number},
  d: PairedDelta,
  j: Judgement,
): string {
  const fmt = (v: number) => formatDelta(row.metric, row.relative, v)
  const ci = `${Math.round(row.confidence * 100)}% CI ${formatInterval(row.metric, row.relative, d.ciLow, d.ciHigh)}`
  const limit = fmt(row.limit.bound)
  if (j.status === 'fail') {
    return `delta ${fmt(d.delta)} with ${ci} lies wholly ${row.limit.side === 'atLeast' ? 'below' : 'above'} the limit ${limit} (${row.records} records)`
  }
  if (!j.inconclusive) return `within the limit (${row.records} records)`
  if (j.recordsNeeded === undefined) {
    return `cohort too small to decide: the estimate ${fmt(d.delta)} is already beyond the limit ${limit} but its ${ci} is not wholly beyond it (${row.records} records)`
  }
  const reach = `the ${ci} reaches past the limit ${limit}`
  if (j.recordsNeeded > 100 * row.records) {
    return `cohort too small to show the limit holds: ${reach}, and the estimate ${fmt(d.delta)} is so close to the limit that over 100 times these records would be needed (have ${row.records})`
  }
  return `cohort too small to show the limit holds: ${reach}; about ${j.recordsNeeded.toLocaleString('en-US')} records would be needed (have ${row.records})`
}
