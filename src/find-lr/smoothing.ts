/**
 * Exponential moving average with bias correction (as Adam's moments): the first values are not
 * pulled towards 0. The LR range test reads this smoothed loss, since single batches are noisy.
 */
export class DebiasedEma {
  private average = 0
  private count = 0

  constructor(private readonly beta = 0.98) {}

  /** Adds a value and returns the smoothed value so far. */
  push(value: number): number {
    this.count++
    this.average = this.beta * this.average + (1 - this.beta) * value
    return this.average / (1 - this.beta ** this.count)
  }
}

/** The debiased EMA of a whole series. */
export function smoothLosses(losses: readonly number[], beta = 0.98): number[] {
  const ema = new DebiasedEma(beta)
  return losses.map((loss) => ema.push(loss))
}
