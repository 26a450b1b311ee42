import * as tf from '@tensorflow/tfjs-core'

import {activeAddon} from '../compute/backend.js'
import type {OptimizerConfig} from '../config/schema.js'
import {commitValues, tensorValues} from '../compute/param-buffers.js'
import {averagedWeights, averagingWeight, type ScheduleFreeScalars, scheduleFreeUpdate} from './schedule-free.js'

/** Optimizer state, as plain arrays so a checkpoint can store and restore it exactly. */
export interface OptimizerState {
  step: number
  /** name → first moment (AdamW), momentum buffer (SGD) or the base sequence z (schedule-free AdamW) */
  m: Map<string, Float32Array>
  /** name → second moment (AdamW, schedule-free AdamW) */
  v: Map<string, Float32Array>
  /** schedule-free AdamW's averaging scalars (./schedule-free.ts) */
  scheduleFree?: ScheduleFreeScalars
}

/**
 * AdamW (decoupled weight decay, bias-corrected; PyTorch's torch.optim.AdamW) and SGD with
 * momentum (torch.optim.SGD, dampening 0, L2 weight decay). Weight decay applies to matrices
 * only (nanoGPT: 2-D parameters decay, biases and LayerNorm gains do not). Schedule-free AdamW
 * (./schedule-free.ts) keeps y in the parameters while training; `averaged` gives the weights to
 * evaluate and save.
 */
export class Optimizer {
  readonly config: OptimizerConfig
  state: OptimizerState

  constructor(config: OptimizerConfig, state?: OptimizerState) {
    this.config = config
    this.state = state ?? {step: 0, m: new Map(), v: new Map()}
  }

  /** One update of every parameter with gradients scaled by `gradScale` (the clip factor); `weightDecay` overrides the configured one (a schedule's value). */
  step(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number, gradScale: number, weightDecay = this.config.weightDecay): void {
    this.state.step += 1
    if (this.config.type === 'schedulefree-adamw') {
      const scalars = (this.state.scheduleFree ??= {weightSum: 0, lrMax: 0})
      const gamma = lr * Math.sqrt(1 - this.config.beta2 ** this.state.step)
      this.sf = {gamma, c: averagingWeight(scalars, gamma)}
    }
    for (const [name, variable] of params) {
      const grad = grads.get(name)
      if (!grad) continue
      const p = tensorValues(variable)
      const g = tensorValues(grad)
      const decay = variable.shape.length >= 2 ? weightDecay : 0
      if (this.config.type === 'adamw') this.adamw(name, p, g, lr, decay, gradScale)
      else if (this.config.type === 'schedulefree-adamw') this.scheduleFree(name, p, g, decay, gradScale)
      else this.sgd(name, p, g, lr, decay, gradScale)
      commitValues(variable, p)
    }
  }

  private sf = {gamma: 0, c: 0}

  /** True when the parameters hold a point other than the weights to evaluate (schedule-free y). */
  get averages(): boolean {
    return this.config.type === 'schedulefree-adamw' && this.state.m.size > 0
  }

  /**
   * Writes the averaged weights x into the parameters (schedule-free AdamW; a no-op otherwise) and
   * returns a function that puts the training point y back.
   */
  useAveraged(params: Map<string, tf.Variable>): () => void {
    if (!this.averages) return () => {}
    const saved = new Map<string, Float32Array>()
    for (const [name, variable] of params) {
      const z = this.state.m.get(name)
      if (!z) continue
      // On the cpu backends tensorValues is the variable's own buffer: write into it, then commit.
      const values = tensorValues(variable)
      const y = values.slice()
      saved.set(name, y)
      commitValues(variable, averagedWeights(y, z, this.config.beta1, values))
    }
    return () => {
      for (const [name, y] of saved) {
        const variable = params.get(name)!
        const values = tensorValues(variable)
        values.set(y)
        commitValues(variable, values)
      }
    }
  }

  private scheduleFree(name: string, p: Float32Array, g: Float32Array, decay: number, gradScale: number): void {
    const {beta1, beta2, eps} = this.config
    let z = this.state.m.get(name)
    if (!z) {
      z = p.slice()
      this.state.m.set(name, z)
    }
    const v = this.buffer(this.state.v, name, p.length)
    scheduleFreeUpdate(p, z, v, g, {gamma: this.sf.gamma, c: this.sf.c, beta1, beta2, eps, decay, gradScale})
  }

  private buffer(map: Map<string, Float32Array>, name: string, size: number): Float32Array {
    let b = map.get(name)
    if (!b) {
      b = new Float32Array(size)
      map.set(name, b)
    }
    return b
  }

  private adamw(name: string, p: Float32Array, g: Float32Array, lr: number, decay: number, gradScale: number): void {
    const {beta1, beta2, eps} = this.config
    const t = this.state.step
    const m = this.buffer(this.state.m, name, p.length)
    const v = this.buffer(this.state.v, name, p.length)
    const bc1 = 1 - beta1 ** t
    const bc2 = 1 - beta2 ** t
    const addon = activeAddon()
    if (addon) {
      addon.adamwStep(p, g, m, v, lr, beta1, beta2, eps, decay, bc1, bc2, gradScale)
      return
    }
    // p ← p·(1 − lr·λ) − lr/bc1 · m / (√v / √bc2 + ε)
    const stepSize = lr / bc1
    const rootBc2 = Math.sqrt(bc2)
    const shrink = 1 - lr * decay
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] * gradScale
      m[i] = beta1 * m[i] + (1 - beta1) * gi
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
      p[i] = p[i] * shrink - (stepSize * m[i]) / (Math.sqrt(v[i]) / rootBc2 + eps)
    }
  }

  private sgd(name: string, p: Float32Array, g: Float32Array, lr: number, decay: number, gradScale: number): void {
    const {momentum} = this.config
    const buf = momentum > 0 ? this.buffer(this.state.m, name, p.length) : null
    const first = this.state.step === 1
    for (let i = 0; i < p.length; i++) {
      let d = g[i] * gradScale + decay * p[i]
      if (buf) {
        // PyTorch starts the momentum buffer at the first gradient itself.
        buf[i] = first ? d : momentum * buf[i] + d
        d = buf[i]
      }
      p[i] -= lr * d
    }
  }
}

/** Global L2 norm of all gradients (before clipping), in double precision. */
export function globalNorm(grads: Iterable<tf.Tensor>): number {
  const addon = activeAddon()
  let sum = 0
  for (const g of grads) {
    const values = tensorValues(g)
    if (addon) sum += addon.sumSquares(values)
    else for (let i = 0; i < values.length; i++) sum += values[i] * values[i]
  }
  return Math.sqrt(sum)
}

/** torch.nn.utils.clip_grad_norm_: scale = maxNorm / (norm + 1e-6), capped at 1; 0 disables. */
export function clipScale(norm: number, maxNorm: number): number {
  if (maxNorm <= 0 || !Number.isFinite(norm)) return 1
  return Math.min(1, maxNorm / (norm + 1e-6))
}
