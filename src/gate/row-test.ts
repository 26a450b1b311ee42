import {limitMargin} from './limit-tolerance.js'
import type {RuleLimit} from './rule.js'
import {hallInverse, hallTransform} from './skew.js'
import {tCdf, tQuantile} from './student-t.js'

/**
 * Rows with fewer paired records than this are never failed: their interval is not trustworthy
 * (the coverage simulation, scripts/coverage.ts and docs/gate.md, finds the studentized interval
 * below 0.94 coverage under 20 records on 0/1 and skewed scores). They are inconclusive, saying how many
 * records are needed.
 */
export const MIN_RECORDS = 20

/** What a row's test needs: the estimate, its bootstrap standard error and skewness, the paired record count. */
export interface RowEstimate {
  delta: number
  /** bootstrap standard deviation of the delta, scaled by √(n/(n−1)) (0 when every resample agrees) */
  se: number
  /** skewness of the delta's estimator (0: none; absent: 0) */
  skew?: number
  n: number
  /**
   * 'log' when se and skew are those of log(candidate/baseline), the estimate on that scale being
   * `scaled` (a relative change of positive statistics, see paired-bootstrap.ts); absent: delta's own.
   */
  scale?: 'linear' | 'log'
  scaled?: number
  /** 0/1 scores: Hall's correction may only make the row more cautious (see PairedDelta.lattice) */
  lattice?: boolean
}

/** The estimate and the limit on the scale the row is tested on (relative changes: log(1 + x)). */
function testScale(limit: RuleLimit, row: RowEstimate): {estimate: number; bound: number} {
  if (row.scale !== 'log') return {estimate: row.delta, bound: limit.bound}
  return {estimate: row.scaled ?? Math.log1p(row.delta), bound: limit.bound > -1 ? Math.log1p(limit.bound) : Number.NEGATIVE_INFINITY}
}

/**
 * One-sided p-value of "the true delta is within the limit" (H0) against "it is beyond": with
 * z = (delta − bound)/se (a relative change: (log(c/b) − log(1 + bound))/se) made skew-corrected by
 * Hall's transform g (skew.ts), P(T_{n−1} ≤ g(z)) for an at-least limit (maxDrop, minGain) and
 * P(T_{n−1} ≥ g(z)) for an at-most limit (maxRise); on 0/1 scores (`lattice`) the larger of that and
 * the uncorrected tail. A tail of the t distribution, so it resolves far below 1/resamples. null when the row cannot be tested: fewer than MIN_RECORDS records,
 * a zero spread with the estimate beyond the limit, or a non-finite estimate on both sides.
 * An infinite estimate beyond a finite limit (every record's perplexity overflowed) has p = 0.
 *
 * @example rowPValue({kind: 'maxDrop', bound: -0.02, side: 'atLeast'}, {delta: -0.1, se: 0.02, n: 100}) // ≈ 5e-5
 */
export function rowPValue(limit: RuleLimit, row: RowEstimate): number | null {
  if (row.n < MIN_RECORDS || Number.isNaN(row.delta)) return null
  // An estimate at the limit within the tolerance (0.07 − 0.05 against 0.02) is on it: within, and z = 0.
  const margin = limitMargin(row.delta, limit)
  if (!Number.isFinite(row.delta)) return margin < 0 ? 0 : 1
  if (!(row.se > 0) || !Number.isFinite(row.se)) return margin < 0 ? null : 1
  const t = testScale(limit, row)
  const z = margin === 0 ? 0 : (t.estimate - t.bound) / row.se
  const tail = (g: number) => (limit.side === 'atLeast' ? tCdf(g, row.n - 1) : tCdf(-g, row.n - 1))
  const p = tail(hallTransform(z, row.skew ?? 0))
  // On 0/1 scores the corrected tail was twice too liberal at the limit (bench/verdicts.ts): keep the larger p.
  return row.lattice === true ? Math.max(p, tail(z)) : p
}

/**
 * Holm's step-down adjustment of one-sided p-values (null = not tested, stays null): sort the m
 * tested p-values ascending, p_adj(i) = max over j ≤ i of min(1, (m − j + 1)·p(j)). Rejecting every
 * row with p_adj ≤ α keeps the family-wise error ≤ α under any dependence between rows.
 *
 * @example holmAdjust([0.01, 0.04, null, 0.03]) // [0.03, 0.06, null, 0.06]
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const tested = pValues.map((p, i) => ({p, i})).filter((x): x is {p: number; i: number} => x.p !== null).sort((a, b) => a.p - b.p)
  const m = tested.length
  const out: (number | null)[] = pValues.map(() => null)
  let running = 0
  for (const [j, {p, i}] of tested.entries()) {
    running = Math.max(running, Math.min(1, (m - j) * p))
    out[i] = running
  }
  return out
}

/**
 * Rows whose p-value is above this are set aside before Holm: a row far inside its limit (an
 * unchanged cohort next to a 0.02 margin) has a p near 1, and counting it in Holm's m only costs
 * power. See conditionalHolmAdjust.
 */
export const SELECTION_TAU = 0.8

/**
 * Conditional Holm (Zhao, Small & Su 2019, "Multiple testing when many p-values are uniformly
 * conservative", JASA 114:1291): keep the rows with p ≤ τ, divide their p by τ, and Holm-adjust those
 * over m′ = how many were kept; the rest get adjusted p 1. A one-sided test of a limit has a p-value
 * that is uniform at the limit and stochastically larger inside it ("uniformly conservative"), so
 * conditioning on p ≤ τ keeps p/τ valid and the family-wise error ≤ α when rows are independent;
 * bench/verdicts.ts measures it with the default rules (dependent rows of one cohort included).
 * With τ = 1 this is plain Holm.
 *
 * @example conditionalHolmAdjust([0.01, 0.9, null, 0.2], 0.5) // {adjusted: [0.04, 1, null, 0.4], selected: 2}
 */
export function conditionalHolmAdjust(pValues: readonly (number | null)[], tau = SELECTION_TAU): {adjusted: (number | null)[]; selected: number} {
  const kept = pValues.map((p) => (p !== null && p <= tau ? p / tau : null))
  const holm = holmAdjust(kept)
  return {
    adjusted: pValues.map((p, i) => (p === null ? null : (holm[i] ?? 1))),
    selected: kept.filter((p) => p !== null).length,
  }
}

/**
 * The row's interval: the values δ0 with −q ≤ g((delta − δ0)/se) ≤ q, q = t_{1−α/m, n−1} (Hall's
 * skew-corrected studentized interval), each end a one-sided bound at level 1 − α/m (Bonferroni
 * over the m tested rows), so all rows' limit-side ends hold together with probability ≥ 1 − α.
 * A degenerate row (se 0) gets the point [delta, delta].
 */
export function rowInterval(row: RowEstimate, alpha: number, tested: number): [number, number] {
  if (!Number.isFinite(row.delta) || !(row.se > 0) || row.n < 2) return [row.delta, row.delta]
  const q = tQuantile(1 - alpha / Math.max(1, tested), row.n - 1)
  const skew = row.skew ?? 0
  if (row.scale === 'log') {
    const x = row.scaled ?? Math.log1p(row.delta)
    return [Math.expm1(x - hallInverse(q, skew) * row.se), Math.expm1(x - hallInverse(-q, skew) * row.se)]
  }
  if (row.lattice === true) return [row.delta - Math.max(q, hallInverse(q, skew)) * row.se, row.delta - Math.min(-q, hallInverse(-q, skew)) * row.se]
  return [row.delta - hallInverse(q, skew) * row.se, row.delta - hallInverse(-q, skew) * row.se]
}
