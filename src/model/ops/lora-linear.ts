import * as tf from '@tensorflow/tfjs-core'

import {FUSED} from '../../compute/kernel-names.js'
import {fusedOp, hasKernel, runKernel} from './fused.js'

/**
 * A dense layer with a frozen weight and a trainable low-rank adapter (LoRA):
 *   y = x·W + b + scale · (x·A)·B      x [N, Din], W [Din, Dout], b [Dout], A [Din, r], B [r, Dout]
 * One tape node with inputs x, A, B only: W and b are frozen, so the backward pass computes
 *   dx = dy·Wᵀ + scale·(dy·Bᵀ)·Aᵀ,   dA = scale·xᵀ·(dy·Bᵀ),   dB = scale·(x·A)ᵀ·dy
 * and never the N·Din·Dout product a full fine-tune spends on dW. The base product is the fused
 * linear kernel (native backend), the rest BLAS matmuls through tf.matMul.
 */
export function loraLinear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, a: tf.Tensor2D, bLora: tf.Tensor2D, scale: number): tf.Tensor2D {
  const op = fusedOp(([xi, ai, bi], save) => {
    const base = hasKernel(FUSED.linear) ? runKernel<tf.Tensor2D>(FUSED.linear, {x: xi, w, b}) : tf.add(tf.matMul(xi, w), b)
    const xa = tf.matMul(xi as tf.Tensor2D, ai as tf.Tensor2D) // [N, r]
    save([xi, ai, bi, xa])
    return {
      value: tf.add(base, tf.matMul(tf.mul(xa, scale), bi as tf.Tensor2D)),
      gradFunc: (dy, [xs, as, bs, xas]) => {
        const dyB = tf.mul(tf.matMul(dy as tf.Tensor2D, bs as tf.Tensor2D, false, true), scale) // [N, r]
        const dx = tf.add(tf.matMul(dy as tf.Tensor2D, w, false, true), tf.matMul(dyB, as as tf.Tensor2D, false, true))
        const dA = tf.matMul(xs as tf.Tensor2D, dyB, true, false)
        const dB = tf.mul(tf.matMul(xas as tf.Tensor2D, dy as tf.Tensor2D, true, false), scale)
        return [dx, dA, dB]
      },
    }
  })
  return op(x, a, bLora) as tf.Tensor2D
}

/** The same layer as plain differentiable tfjs ops (LoRA dropout on x before A; the test reference). */
export function loraLinearComposite(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, a: tf.Tensor2D, bLora: tf.Tensor2D, scale: number, xForAdapter: tf.Tensor2D = x): tf.Tensor2D {
  return tf.add(tf.add(tf.matMul(x, w), b), tf.mul(tf.matMul(tf.matMul(xForAdapter, a), bLora), scale))
}
