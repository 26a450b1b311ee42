import {z} from 'zod'

/** ReduceLROnPlateau's options (PyTorch names in camelCase; config may hold them). */
export const plateauSpecSchema = z
  .object({
    /** `min`: lower metric is better (a loss); `max`: higher is better (a score). */
    mode: z.enum(['min', 'max']),
    factor: z.number().gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)'),
    /** Bad evaluations tolerated; the rate drops on the (patience+1)-th in a row. */
    patience: z.number().int('must be an integer ≥ 0').nonnegative('must be an integer ≥ 0'),
    threshold: z.number().nonnegative('must be ≥ 0'),
    thresholdMode: z.enum(['rel', 'abs']),
    /** Evaluations to wait after a drop before counting bad ones again. */
    cooldown: z.number().int('must be an integer ≥ 0').nonnegative('must be an integer ≥ 0'),
    minLr: z.number().nonnegative('must be ≥ 0'),
    /** A drop smaller than this is skipped (PyTorch's eps). */
    eps: z.number().nonnegative('must be ≥ 0'),
  })
  .strict()
export type PlateauOptions = z.infer<typeof plateauSpecSchema>

/** PyTorch's defaults. */
export const PLATEAU_DEFAULTS: PlateauOptions = {
  mode: 'min',
  factor: 0.1,
  patience: 10,
  threshold: 1e-4,
  thresholdMode: 'rel',
  cooldown: 0,
  minLr: 0,
  eps: 1e-8,
}

/**
 * Reduce-on-plateau (PyTorch ReduceLROnPlateau semantics): fed one metric per evaluation, it
 * multiplies the rate by `factor` (not below minLr) after more than `patience` evaluations in a
 * row without improvement, then waits `cooldown` evaluations. Stateful, unlike the step schedules.
 *
 * @example
 * const plateau = new PlateauSchedule(1e-3, {patience: 2})
 * for (const loss of valLosses) optimizer.lr = plateau.step(loss)
 */
export class PlateauSchedule {
  readonly options: PlateauOptions
  private current: number
  private best: number
  private badEvals = 0
  private cooldownLeft = 0

  constructor(lr: number, options: Partial<PlateauOptions> = {}) {
    this.options = plateauSpecSchema.parse({...PLATEAU_DEFAULTS, ...options})
    this.current = lr
    this.best = this.options.mode === 'min' ? Infinity : -Infinity
  }

  /** The rate now in force. */
  get lr(): number {
    return this.current
  }

  /** Feeds one metric (e.g. a validation loss); returns the rate for the steps that follow. */
  step(metric: number): number {
    // 1) improvement resets the count of bad evaluations (NaN is never an improvement)
    if (this.isBetter(metric)) {
      this.best = metric
      this.badEvals = 0
    } else {
      this.badEvals++
    }
    // 2) during cooldown bad evaluations do not count
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--
      this.badEvals = 0
    }
    // 3) more than `patience` bad evaluations: reduce, then cool down
    if (this.badEvals > this.options.patience) {
      const reduced = Math.max(this.current * this.options.factor, this.options.minLr)
      if (this.current - reduced > this.options.eps) this.current = reduced
      this.cooldownLeft = this.options.cooldown
      this.badEvals = 0
    }
    return this.current
  }

  private isBetter(metric: number): boolean {
    const {mode, threshold, thresholdMode} = this.options
    if (mode === 'min') return thresholdMode === 'rel' ? metric < this.best * (1 - threshold) : metric < this.best - threshold
    return thresholdMode === 'rel' ? metric > this.best * (threshold + 1) : metric > this.best + threshold
  }
}
