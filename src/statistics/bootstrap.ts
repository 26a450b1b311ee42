import {type Rng, seededRng} from '../util/rng.js'
import {ratioStatistic, type RatioSamples} from './statistic.js'

/**
 * Quantile of sorted values with linear interpolation between order statistics
 * (type 7, numpy's default).
 *
 * @example quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5) // 2.5
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo])
}

/** The two-sided percentile interval of bootstrap statistics at `confidence` (e.g. 0.95 → 2.5%..97.5%). */
export function percentileInterval(stats: Float64Array, confidence: number): [number, number] {
  const sorted = Float64Array.from(stats).sort()
  const alpha = 1 - confidence
  return [quantileSorted(sorted, alpha / 2), quantileSorted(sorted, 1 - alpha / 2)]
}

/** Fills `out` with n indices drawn uniformly with replacement from [0, n). */
export function drawResample(rng: Rng, out: Uint32Array): void {
  const n = out.length
  for (let i = 0; i < n; i++) out[i] = rng.int(n)
}

/**
 * Percentile bootstrap interval of a cohort statistic: resample the records with replacement
 * `resamples` times (seeded) and take the central `confidence` share of the statistics.
 *
 * @example bootstrapInterval(meanSamples([0, 1, 1, 0]), {seed: 1, resamples: 2000, confidence: 0.95})
 */
export function bootstrapInterval(
  samples: RatioSamples,
  options: {seed: number; resamples: number; confidence: number},
): [number, number] {
  const n = samples.num.length
  if (n === 0) return [Number.NaN, Number.NaN]
  const rng = seededRng(options.seed)
  const indices = new Uint32Array(n)
  const stats = new Float64Array(options.resamples)
  for (let b = 0; b < options.resamples; b++) {
    drawResample(rng, indices)
    stats[b] = ratioStatistic(samples, indices)
  }
  return percentileInterval(stats, options.confidence)
}
