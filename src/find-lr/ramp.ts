/**
 * The LR range test's learning rate at iteration i of n: an exponential ramp from `startLr` to
 * `endLr` (Leslie Smith; fastai's lr_find), so every decade of learning rate gets the same number of
 * iterations.
 *
 * @example exponentialRamp(1e-7, 10, 100)(50) // 1e-7 · (1e8)^0.5 = 1e-3
 */
export function exponentialRamp(startLr: number, endLr: number, iterations: number): (i: number) => number {
  const ratio = endLr / startLr
  return (i) => startLr * ratio ** (i / iterations)
}
