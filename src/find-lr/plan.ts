import {positiveNumber, seedFlag} from '../config/flag-numbers.js'
import type {Config} from '../config/schema.js'
import {InputError} from '../errors.js'
import {resolveBaseModel} from '../sweep/plan.js'
import type {RampSettings} from './range-test.js'

/** What one LR range test does; stored as the run's config. */
export interface FindLrPlan extends RampSettings {
  baseModel: string
  train: string
  backend: string
  /** learning rates in the printed sweep list */
  count: number
  cwd: string
}

export interface FindLrFlags {
  'start-lr'?: string
  'end-lr'?: string
  'num-it'?: string
  'batch-size'?: string
  base?: string
  train?: string
  seed?: string
  backend?: string
  count?: string
}

/** fastai's lr_find defaults: 1e-7 to 10 in 100 iterations. */
export const RANGE_DEFAULTS = {startLr: 1e-7, endLr: 10, iterations: 100, count: 4}

/**
 * Flags over the config: the model, data, batch size, optimizer and clipping of the sweep (the
 * suggestion is for that fine-tune), and the ramp of the test.
 */
export function planFindLr(config: Config, flags: FindLrFlags, cwd = process.cwd()): FindLrPlan {
  const startLr = flags['start-lr'] !== undefined ? positiveNumber('start-lr', flags['start-lr'], false) : RANGE_DEFAULTS.startLr
  const endLr = flags['end-lr'] !== undefined ? positiveNumber('end-lr', flags['end-lr'], false) : RANGE_DEFAULTS.endLr
  if (endLr <= startLr) throw new InputError(`--end-lr must be above --start-lr (got ${endLr} ≤ ${startLr}).`)
  const iterations = flags['num-it'] !== undefined ? positiveNumber('num-it', flags['num-it'], true) : RANGE_DEFAULTS.iterations
  if (iterations < 10) throw new InputError(`--num-it must be at least 10, enough points for a curve (got ${iterations}).`)
  return {
    baseModel: resolveBaseModel(flags.base ?? config.baseModel, cwd),
    train: flags.train ?? config.datasets.train,
    seed: flags.seed !== undefined ? seedFlag(flags.seed) : config.seed,
    backend: flags.backend ?? config.backend,
    batchSize: flags['batch-size'] !== undefined ? positiveNumber('batch-size', flags['batch-size'], true) : config.sweep.batchSize,
    startLr,
    endLr,
    iterations,
    optimizer: config.sweep.optimizer,
    clipNorm: config.sweep.clipNorm,
    count: flags.count !== undefined ? positiveNumber('count', flags.count, true) : RANGE_DEFAULTS.count,
    cwd,
  }
}
