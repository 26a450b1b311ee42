import type {OptimizerConfig} from '../config/schema.js'
import type {Gpt} from '../model/gpt.js'
import {commitValues, tensorValues} from '../compute/param-buffers.js'
import type {TokenStream} from '../train/token-stream.js'
import {type StepRecord, train} from '../train/trainer.js'
import {exponentialRamp} from './ramp.js'
import {DebiasedEma} from './smoothing.js'
import type {RangePoint} from './suggest.js'

/** The ramp and the training it runs: what a range test is, apart from the model and data. */
export interface RampSettings {
  batchSize: number
  startLr: number
  endLr: number
  /** iterations of the ramp from startLr to endLr */
  iterations: number
  /** the fine-tune's optimizer and clipping, so the suggestion fits the training it is for */
  optimizer: OptimizerConfig
  clipNorm: number
  seed: number
}

export interface RangeTestOptions extends RampSettings {
  model: Gpt
  train: TokenStream
  /** stop once the smoothed loss exceeds this multiple of the best smoothed loss (fastai: 4) */
  stopFactor?: number
  /** EMA factor of the smoothed loss (fastai: 0.98) */
  beta?: number
  onPoint?: (point: RangePoint, step: StepRecord) => void
  /** asked before every iteration: a reason (Ctrl-C) ends the test early */
  shouldStop?: () => string | null
}

export interface RangeTestResult {
  points: RangePoint[]
  steps: StepRecord[]
  /** why the ramp ended before endLr, or null when it ran to the end */
  stoppedBecause: string | null
  /** ended by the caller's shouldStop (Ctrl-C), not by the curve */
  interrupted: boolean
}

/** Copies of every weight, to put the model back as it was after the test. */
function snapshot(model: Gpt): Map<string, Float32Array> {
  return new Map([...model.params].map(([name, v]) => [name, tensorValues(v).slice()]))
}

function restore(model: Gpt, saved: Map<string, Float32Array>): void {
  for (const [name, v] of model.params) {
    const values = tensorValues(v)
    values.set(saved.get(name)!)
    commitValues(v, values)
  }
}

/**
 * LR range test (Leslie Smith; fastai's lr_find): train with the learning rate ramped exponentially
 * from startLr to endLr, one batch per iteration, recording the loss and its debiased EMA; stop when
 * the smoothed loss blows past stopFactor × its best, or the loss is not finite. The model's weights
 * are restored afterwards, so the test leaves the model as it found it.
 */
export async function rangeTest(options: RangeTestOptions): Promise<RangeTestResult> {
  const {model, iterations} = options
  const stopFactor = options.stopFactor ?? 4
  const ema = new DebiasedEma(options.beta ?? 0.98)
  const ramp = exponentialRamp(options.startLr, options.endLr, iterations)
  const points: RangePoint[] = []
  const steps: StepRecord[] = []
  let best = Number.POSITIVE_INFINITY
  let blowUp: string | null = null
  let interrupted: string | null = null
  const saved = snapshot(model)
  try {
    const result = await train({
      model,
      train: options.train,
      steps: iterations,
      batchSize: options.batchSize,
      schedule: ramp,
      optimizer: options.optimizer,
      clipNorm: options.clipNorm,
      seed: options.seed,
      valEvery: iterations + 1,
      checkpointEvery: iterations + 1,
      // Only a non-finite loss ends the run inside the trainer; the blow-up rule is the EMA's, below.
      divergence: {rtol: Number.MAX_VALUE, window: 1, atol: 0, patience: 1},
      onStep: (step) => {
        const smoothed = ema.push(step.loss)
        const point = {lr: step.lr, loss: step.loss, smoothed}
        points.push(point)
        steps.push(step)
        options.onPoint?.(point, step)
        best = Math.min(best, smoothed)
        if (smoothed > stopFactor * best) blowUp = `the smoothed loss ${smoothed.toFixed(3)} passed ${stopFactor}x its best ${best.toFixed(3)} at lr ${step.lr.toExponential(2)}`
      },
      shouldStop: () => {
        interrupted = options.shouldStop?.() ?? null
        return interrupted ?? blowUp
      },
    })
    const stoppedBecause = result.status === 'diverged' ? `the loss stopped being finite (${result.reason})` : result.status === 'stopped' ? (interrupted ?? blowUp) : null
    return {points, steps, stoppedBecause, interrupted: result.status === 'stopped' && interrupted !== null}
  } finally {
    restore(model, saved)
  }
}
