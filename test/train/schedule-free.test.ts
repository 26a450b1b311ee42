import * as tf from '@tensorflow/tfjs-core'
import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import type {OptimizerConfig} from '../../src/config/schema.js'
import {Optimizer} from '../../src/train/optimizer.js'
import {tensorValues} from '../../src/compute/param-buffers.js'

const SF: OptimizerConfig = {type: 'schedulefree-adamw', weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0}

/**
 * facebookresearch/schedule_free AdamWScheduleFree.step, transcribed line by line in float64
 * (its in-place form: y.lerp_(z, ckp1); y.add_(grad_normalized, lr·(β1(1−ckp1) − 1)); z.sub_(grad_normalized, lr)),
 * with warmup done by our schedule (the reference's `sched`) and r = 0, weight_lr_power = 2.
 */
function reference(y0: number[], grad: (y: number[]) => number[], lrs: number[], o: {beta1: number; beta2: number; eps: number; decay: number}) {
  const y = [...y0], z = [...y0], v = y0.map(() => 0)
  let lrMax = -1, weightSum = 0
  lrs.forEach((base, k) => {
    const g = grad(y)
    const lr = base * Math.sqrt(1 - o.beta2 ** (k + 1))
    lrMax = Math.max(lr, lrMax)
    const weight = lrMax ** 2
    weightSum += weight
    const ckp1 = weightSum !== 0 ? weight / weightSum : 0
    for (let i = 0; i < y.length; i++) {
      v[i] = v[i] * o.beta2 + (1 - o.beta2) * g[i] * g[i]
      const denom = Math.sqrt(v[i]) + o.eps
      const gn = g[i] / denom + o.decay * y[i]
      y[i] = y[i] + ckp1 * (z[i] - y[i])
      y[i] += gn * lr * (o.beta1 * (1 - ckp1) - 1)
      z[i] -= gn * lr
    }
  })
  // eval(): p.lerp_(z, 1 − 1/β1) — the averaged point x
  const x = y.map((yi, i) => yi + (1 - 1 / o.beta1) * (z[i] - yi))
  return {y, x}
}

describe('schedule-free AdamW (Defazio et al. 2024)', () => {
  before(async () => {
    await initBackend('cpu')
  })

  it('on a quadratic, 40 warmed-up steps match the reference update, and the averaged weights are its x', () => {
    // f(w) = ½ Σ a_i (w_i − b_i)², a 2×3 matrix (so weight decay applies)
    const a = [1, 4, 0.5, 2, 8, 0.25], b = [0.3, -0.7, 1.2, 0.0, 0.5, -1.5], w0 = [0.1, 0.2, -0.3, 0.4, -0.5, 0.6]
    const grad = (w: number[]) => w.map((wi, i) => a[i] * (wi - b[i]))
    const lrs = Array.from({length: 40}, (_, t) => 0.05 * Math.min(1, (t + 1) / 10))
    const ref = reference(w0, grad, lrs, {beta1: SF.beta1, beta2: SF.beta2, eps: SF.eps, decay: SF.weightDecay})

    const w = tf.variable(tf.tensor2d(w0, [2, 3]), true, 'w')
    const params = new Map([['w', w]])
    const optimizer = new Optimizer(SF)
    for (const lr of lrs) {
      const g = tf.tensor2d(grad([...tensorValues(w)]), [2, 3])
      optimizer.step(params, new Map([['w', g]]), lr, 1)
      g.dispose()
    }
    const y = [...tensorValues(w)]
    y.forEach((yi, i) => assert.ok(Math.abs(yi - ref.y[i]) < 2e-5, `y[${i}] ${yi} vs reference ${ref.y[i]}`))
    const restore = optimizer.useAveraged(params)
    const x = [...tensorValues(w)]
    x.forEach((xi, i) => assert.ok(Math.abs(xi - ref.x[i]) < 2e-5, `x[${i}] ${xi} vs reference ${ref.x[i]}`))
    // the average is not the training point, and restoring gives y back exactly
    assert.ok(x.some((xi, i) => Math.abs(xi - y[i]) > 1e-4))
    restore()
    assert.deepEqual([...tensorValues(w)], y)
    // it descends: the loss at x is far below the start
    const f = (p: number[]) => p.reduce((s, pi, i) => s + 0.5 * a[i] * (pi - b[i]) ** 2, 0)
    assert.ok(f(x) < 0.2 * f(w0), `f(x) ${f(x)} vs f(w0) ${f(w0)}`)
    w.dispose()
  })

  it('a 1-D parameter gets no weight decay (biases and gains), as with AdamW', () => {
    const w = tf.variable(tf.tensor1d([1, 1]), true, 'bias')
    const optimizer = new Optimizer({...SF, weightDecay: 0.5})
    const g = tf.tensor1d([0, 0])
    optimizer.step(new Map([['bias', w]]), new Map([['bias', g]]), 0.1, 1)
    assert.deepEqual([...tensorValues(w)], [1, 1])
    tf.dispose([w, g])
  })
})
