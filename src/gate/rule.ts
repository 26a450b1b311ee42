import type {GateRule} from '../config/eval-schema.js'

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
  /** The interval crosses the limit: not a failure, but the data cannot show the limit holds. */
  inconclusive: boolean
  /**
   * Records that would make the interval clear the limit if the estimate stayed put: half-widths shrink
   * as 1/√n, so n·(h/m)² where h is the interval's half-width on the limit's side and m the distance
   * from the estimate to the limit. Absent unless inconclusive with the estimate inside the limit.
   */
  recordsNeeded?: number
}

/**
 * Judges a delta and its interval against a limit: a rule fails only when the whole interval lies
 * beyond the limit.
 *
 * @example judge({kind: 'maxDrop', bound: -0.02, side: 'atLeast'}, -0.2, -0.25, -0.15, 60) // fail
 */
export function judge(limit: RuleLimit, delta: number, ciLow: number, ciHigh: number, records: number): Judgement {
  const atLeast = limit.side === 'atLeast'
  const fail = atLeast ? ciHigh < limit.bound : ciLow > limit.bound
  if (fail) return {status: 'fail', inconclusive: false}
  const crosses = atLeast ? ciLow < limit.bound : ciHigh > limit.bound
  if (!crosses) return {status: 'pass', inconclusive: false}
  const margin = atLeast ? delta - limit.bound : limit.bound - delta
  const halfWidth = atLeast ? delta - ciLow : ciHigh - delta
  if (margin <= 0) return {status: 'pass', inconclusive: true}
  return {status: 'pass', inconclusive: true, recordsNeeded: Math.ceil(records * (halfWidth / margin) ** 2)}
}
