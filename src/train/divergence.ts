/**
 * When a run has diverged:
 * - a non-finite loss;
 * - a spike, as Lightning's SpikeDetection defines it: a loss at least `rtol` times the running
 *   mean of the last `window` losses (once the window is full);
 * - a blow-up before the window fills: a loss above 2·rtol times the best loss so far (fastai's
 *   LR finder stops at 4× the best).
 */
export class DivergenceDetector {
  private readonly recent: number[] = []
  private best = Number.POSITIVE_INFINITY

  constructor(
    private readonly rtol: number,
    private readonly window: number,
    history: readonly number[] = [],
  ) {
    for (const loss of history) this.record(loss)
  }

  /** The reason the run diverged at this loss, or null (and the loss joins the history). */
  check(loss: number): string | null {
    if (!Number.isFinite(loss)) return `loss became ${loss}`
    if (this.recent.length >= this.window) {
      const mean = this.recent.reduce((a, b) => a + b, 0) / this.recent.length
      if (loss >= this.rtol * mean) {
        return `loss ${loss.toFixed(3)} is ${(loss / mean).toFixed(1)}x its running mean ${mean.toFixed(3)} over ${this.window} steps (limit ${this.rtol}x)`
      }
    }
    if (loss > 2 * this.rtol * this.best) {
      return `loss ${loss.toFixed(3)} is ${(loss / this.best).toFixed(1)}x the best loss ${this.best.toFixed(3)} (limit ${2 * this.rtol}x)`
    }
    this.record(loss)
    return null
  }

  private record(loss: number): void {
    this.best = Math.min(this.best, loss)
    this.recent.push(loss)
    if (this.recent.length > this.window) this.recent.shift()
  }
}
