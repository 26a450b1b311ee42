/**
 * Hall's (1992) skewness correction of a studentized statistic, monotone form: with z the estimate's
 * distance from a value in standard errors and κ the estimator's skewness (from the bootstrap
 * resamples), g(z) = z + κ/6 + (κ/3)z² + (κ²/27)z³ is close to Student's t where z itself is not
 * (skewed scores: zero-inflated relevance, log-normal perplexity; see the coverage table in
 * docs/gate.md). g' = (1 + κz/3)² ≥ 0, so g is monotone and has a closed-form inverse.
 */
export function hallTransform(z: number, skew: number): number {
  if (!Number.isFinite(z)) return z
  return z + skew / 6 + (skew / 3) * z * z + ((skew * skew) / 27) * z * z * z
}

/** The inverse of hallTransform: the z whose transform is `g`. */
export function hallInverse(g: number, skew: number): number {
  if (Math.abs(skew) < 1e-8) return g - skew / 6
  return (3 / skew) * (Math.cbrt(1 + skew * (g - skew / 6)) - 1)
}
