/**
 * Mean and sample standard deviation (n − 1 in the denominator; 0 for a single value, NaN for none).
 *
 * @example meanSd([1, 2, 3]) // {mean: 2, sd: 1}
 */
export function meanSd(values: readonly number[]): {mean: number; sd: number} {
  const n = values.length
  if (n === 0) return {mean: Number.NaN, sd: Number.NaN}
  const mean = values.reduce((a, b) => a + b, 0) / n
  if (n === 1) return {mean, sd: 0}
  return {mean, sd: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1))}
}
