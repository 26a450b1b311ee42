import type * as tf from '@tensorflow/tfjs-core'

import {commitValues, tensorValues} from '../compute/param-buffers.js'

/** An EMA's state, as plain arrays so a checkpoint stores and restores it exactly. */
export interface EmaState {
  /** updates applied so far (the t of the next update's warmup) */
  updates: number
  /** parameter name → its average (float32, like the weights) */
  averages: Map<string, Float32Array>
}

/**
 * The decay of update t (0-based): `decay`, or with warmup min(decay, (1 + t) / (10 + t)) — the
 * num_updates rule of tf.train.ExponentialMovingAverage, so early averages follow the weights
 * instead of clinging to the base model (t = 0: 0.1, t = 90: 0.91).
 */
export function emaDecayAt(decay: number, warmup: boolean, t: number): number {
  return warmup ? Math.min(decay, (1 + t) / (10 + t)) : decay
}

/**
 * An exponential moving average of the trainable weights (the guide's "moving averages"; Polyak
 * averaging as in timm's ModelEma): after every optimizer step t,
 *   average ← d_t · average + (1 − d_t) · weights,   d_t = emaDecayAt(decay, warmup, t),
 * starting from the weights before the first step. `swapIn` puts the average into the parameters
 * (to save or evaluate it) and returns the function that puts the trained weights back.
 */
export class WeightEma {
  readonly state: EmaState

  constructor(
    readonly decay: number,
    readonly warmup: boolean,
    state?: EmaState,
  ) {
    this.state = state ?? {updates: 0, averages: new Map()}
  }

  /** The decay the next update uses. */
  get nextDecay(): number {
    return emaDecayAt(this.decay, this.warmup, this.state.updates)
  }

  /** Starts the averages at the current weights (no-op for those already started, e.g. after a resume). */
  start(params: Map<string, tf.Variable>): void {
    for (const [name, variable] of params) if (!this.state.averages.has(name)) this.state.averages.set(name, tensorValues(variable).slice())
  }

  /** One update after an optimizer step; returns the decay it used. */
  update(params: Map<string, tf.Variable>): number {
    const d = this.nextDecay
    for (const [name, variable] of params) {
      const p = tensorValues(variable)
      let avg = this.state.averages.get(name)
      if (!avg) {
        avg = p.slice()
        this.state.averages.set(name, avg)
        continue
      }
      for (let i = 0; i < p.length; i++) avg[i] = d * avg[i] + (1 - d) * p[i]
    }
    this.state.updates += 1
    return d
  }

  /** Writes the averages into the parameters; the returned function restores the trained weights. */
  swapIn(params: Map<string, tf.Variable>): () => void {
    const saved = new Map<string, Float32Array>()
    for (const [name, variable] of params) {
      const avg = this.state.averages.get(name)
      if (!avg) continue
      const values = tensorValues(variable)
      saved.set(name, values.slice())
      values.set(avg)
      commitValues(variable, values)
    }
    return () => {
      for (const [name, weights] of saved) {
        const variable = params.get(name)!
        const values = tensorValues(variable)
        values.set(weights)
        commitValues(variable, values)
      }
    }
  }
}
