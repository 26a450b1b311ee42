/**
 * Cohort statistics as ratios of sums, so one code path serves means, fail rates and perplexity:
 * value = f(Σ num / Σ den) over the chosen records, with f = exp for perplexity and identity otherwise.
 * - mean of scores:  num = score, den = 1
 * - fail rate:       num = failed (0/1), den = 1
 * - perplexity:      num = nll, den = tokens, f = exp
 */
export interface RatioSamples {
  num: Float64Array
  den: Float64Array
  exp: boolean
}

/** The statistic over all records, or over `indices` (which may repeat, as in a bootstrap resample). */
export function ratioStatistic(samples: RatioSamples, indices?: ArrayLike<number>): number {
  let num = 0
  let den = 0
  if (indices === undefined) {
    for (let i = 0; i < samples.num.length; i++) {
      num += samples.num[i]
      den += samples.den[i]
    }
  } else {
    for (let k = 0; k < indices.length; k++) {
      num += samples.num[indices[k]]
      den += samples.den[indices[k]]
    }
  }
  const ratio = den === 0 ? Number.NaN : num / den
  return samples.exp ? Math.exp(ratio) : ratio
}

/** Samples whose statistic is the plain mean of `values`. */
export function meanSamples(values: readonly number[]): RatioSamples {
  return {num: Float64Array.from(values), den: new Float64Array(values.length).fill(1), exp: false}
}

/** Samples whose statistic is Σ nll / (Σ bytes · ln 2): bits per byte. */
export function bitsPerByteSamples(nll: readonly number[], bytes: readonly number[]): RatioSamples {
  return {num: Float64Array.from(nll), den: Float64Array.from(bytes, (b) => b * Math.LN2), exp: false}
}

/** Samples whose statistic is exp(Σ nll / Σ tokens). */
export function perplexitySamples(nll: readonly number[], tokens: readonly number[]): RatioSamples {
  return {num: Float64Array.from(nll), den: Float64Array.from(tokens), exp: true}
}
