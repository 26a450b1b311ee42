/**
 * Student's t distribution (CDF and quantile) for the gate's row tests: the tail probability of a
 * studentized delta, which — unlike a count of bootstrap resamples — resolves p-values far below
 * 1/resamples (needed when Holm divides α by thousands of rows). Own code rather than a library:
 * @stdlib's t-cdf pulls 250 packages, and this is the gate's core arithmetic, tested against R's
 * pt/qt values (test/gate/statistics.test.ts).
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-14). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  x -= 1
  let a = c[0]
  const t = x + 7.5
  for (let i = 1; i < 9; i++) a += c[i] / (x + i)
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a)
}

/** Continued fraction of the regularized incomplete beta (modified Lentz; Numerical Recipes betacf). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-15) break
  }
  return h
}

/** The regularized incomplete beta I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x))
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b
}

/** Standard normal CDF via erfc (W. J. Cody's rational approximation through Math functions). */
export function normalCdf(z: number): number {
  // erfc by the complementary continued expansion used in Numerical Recipes (erfcc), rel. error < 1.2e-7,
  // refined: for |z| > 8 the tail is below 1e-15 and the asymptotic series is exact enough.
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.5 * x)
  const y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
  return z >= 0 ? 1 - y / 2 : y / 2
}

/**
 * P(T ≤ t) for Student's t with `df` degrees of freedom (df = Infinity: the standard normal).
 *
 * @example tCdf(-2, 10) // 0.03669402 (R: pt(-2, 10))
 */
export function tCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN
  if (t === Number.POSITIVE_INFINITY) return 1
  if (t === Number.NEGATIVE_INFINITY) return 0
  if (!Number.isFinite(df)) return normalCdf(t)
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5)
  return t < 0 ? tail : 1 - tail
}

/**
 * The p-quantile of Student's t with `df` degrees of freedom (bisection on tCdf to 1e-12).
 *
 * @example tQuantile(0.975, 10) // 2.228139 (R: qt(0.975, 10))
 */
export function tQuantile(p: number, df: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY
  if (p >= 1) return Number.POSITIVE_INFINITY
  if (p === 0.5) return 0
  if (p < 0.5) return -tQuantile(1 - p, df)
  let lo = 0
  let hi = 1
  while (tCdf(hi, df) < p) hi *= 2
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2
    if (tCdf(mid, df) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}
