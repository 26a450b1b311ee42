/**
 * The one comparison of an estimate or an interval end with a rule's limit. A delta is a difference
 * of floating-point means (0.07 − 0.05 = 0.020000000000000004, 0.12 − 0.1 = 0.01999999999999999), so a
 * value within LIMIT_TOLERANCE of the limit, relative to the limit's size (1 at the smallest, so a zero
 * limit such as minGain 0 gets the same 1e-9 the evaluators' thresholds use), counts as on it, and "on
 * it" is within the limit (docs/gate.md). Every comparison of the gate with a limit goes through here:
 * the p-value, the verdict, "reaches past the limit", "already beyond the limit" and the records needed.
 */
export const LIMIT_TOLERANCE = 1e-9

/** A limit as the gate compares with it (structurally a RuleLimit). */
export interface LimitBound {
  bound: number
  side: 'atLeast' | 'atMost'
}

/**
 * True when `value` is within the tolerance of the bound: |value − bound| ≤ 1e-9 · max(1, |bound|).
 *
 * @example atLimit(0.07 - 0.05, 0.02) // true
 */
export function atLimit(value: number, bound: number): boolean {
  if (!Number.isFinite(bound)) return value === bound
  return Math.abs(value - bound) <= LIMIT_TOLERANCE * Math.max(1, Math.abs(bound))
}

/**
 * How far `value` is inside the limit (> 0), beyond it (< 0), or exactly 0 when it is at the limit
 * within the tolerance. NaN stays NaN.
 *
 * @example limitMargin(0.12 - 0.1, {bound: 0.02, side: 'atMost'}) // 0
 * @example limitMargin(-0.01, {bound: -0.02, side: 'atLeast'}) // 0.01 (up to rounding)
 */
export function limitMargin(value: number, limit: LimitBound): number {
  if (atLimit(value, limit.bound)) return 0
  return limit.side === 'atLeast' ? value - limit.bound : limit.bound - value
}

/** True when `value` is on the limit's good side or at the limit (within the tolerance); NaN is never within. */
export function withinLimit(value: number, limit: LimitBound): boolean {
  return limitMargin(value, limit) >= 0
}
