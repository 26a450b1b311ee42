/**
 * The one comparison of a score with a threshold or a limit, used by every evaluator's pass/fail,
 * the fail rate built from it, and every gate rule. Scores are floating-point results of formulas
 * whose exact value often sits on a threshold (ROUGE-L 2/10 against 0.2), so a value within
 * `THRESHOLD_TOLERANCE` of the threshold counts as on it, and "on it" is on the good side.
 */
export const THRESHOLD_TOLERANCE = 1e-9

/**
 * True when `value` is on the good side of `threshold` or within THRESHOLD_TOLERANCE of it:
 * `atLeast` means value ≥ threshold − 1e-9, `atMost` value ≤ threshold + 1e-9. NaN is never within.
 *
 * @example withinThreshold(0.19999999999999998, 0.2, 'atLeast') // true
 * @example withinThreshold(0.1999, 0.2, 'atLeast') // false
 */
export function withinThreshold(value: number, threshold: number, side: 'atLeast' | 'atMost'): boolean {
  return side === 'atLeast' ? value >= threshold - THRESHOLD_TOLERANCE : value <= threshold + THRESHOLD_TOLERANCE
}

/** The side a score must be on for a direction: `higher` is better → atLeast, `lower` → atMost. */
export function sideOf(direction: 'higher' | 'lower'): 'atLeast' | 'atMost' {
  return direction === 'higher' ? 'atLeast' : 'atMost'
}
