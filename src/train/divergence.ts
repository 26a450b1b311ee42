/** Settings of the divergence rule (config `sweep.divergence`). */
export interface DivergenceRule {
  /** a spike is a loss ≥ rtol × the running mean (Lightning SpikeDetection's rtol) … */
  rtol: number
  /** … of the last `window` losses */
  window: number
  /** … and at least `atol` nats above it, so noise around a tiny loss is no spike */
  atol: number
  /** consecutive spiking steps that make a divergence (one bad batch does not) */
  patience: number
}

/**
 * When a run has diverged: a non-finite loss at once; or `patience` consecutive spikes, a spike
 * being a loss at least rtol × and atol above the running mean of the last `window` losses — before
 * that window fills, above 2·rtol × the best loss so far (fastai's LR finder stops at 4× the best).
 */
export class DivergenceDetector {
  private readonly recent: number[] = []
  private best = Number.POSITIVE_INFINITY
  private spikes = 0

  constructor(
    private readonly rule: DivergenceRule,
    history: readonly number[] = [],
  ) {
    for (const loss of history) this.record(loss)
  }

  /** The reason the run diverged at this loss, or null (and the loss joins the history). */
  check(loss: number): string | null {
    if (!Number.isFinite(loss)) return `loss became ${loss}`
    const {rtol, window, atol, patience} = this.rule
    const full = this.recent.length >= window
    const reference = full ? this.recent.reduce((a, b) => a + b, 0) / this.recent.length : this.best
    const factor = full ? rtol : 2 * rtol
    const spike = Number.isFinite(reference) && loss >= factor * reference && loss - reference >= atol
    this.spikes = spike ? this.spikes + 1 : 0
    if (this.spikes >= patience) {
      const what = full ? `its running mean ${reference.toFixed(3)} over ${window} steps` : `the best loss ${reference.toFixed(3)}`
      return `loss ${loss.toFixed(3)} is ${(loss / reference).toFixed(1)}x ${what} (limit ${factor}x) for ${patience} steps in a row`
    }
    // Spiking losses stay out of the running mean, so a divergence cannot normalise itself.
    if (!spike) this.record(loss)
    return null
  }

  private record(loss: number): void {
    this.best = Math.min(this.best, loss)
    this.recent.push(loss)
    if (this.recent.length > this.rule.window) this.recent.shift()
  }
}
