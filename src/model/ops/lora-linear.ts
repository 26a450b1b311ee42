import * as tf from '@tensorflow/tfjs-core'

import {FUSED} from '../../compute/kernel-names.js'
import {activeAddon} from '../../compute/backend.js'
import type {NativeAddon} from '../../compute/native-addon.js'
import {tensorValues} from '../../compute/param-buffers.js'
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
  const addon = activeAddon()
  if (addon !== null && hasKernel(FUSED.linear)) return nativeLoraLinear(addon, x, w, b, a, bLora, scale)
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

/**
 * The same layer on the `native` backend as direct sgemm calls (row-major, OpenBLAS): the adapter
 * product is accumulated into the base output and the input gradient (beta = 1) and the scale goes
 * into alpha, so the adapter costs four thin GEMMs and no element-wise pass or temporary [N, Dout].
 */
/**
 * A float32 buffer for a new tensor from the backend's pool (the `native` backend reuses disposed
 * buffers: a fresh 4 MB array costs ~25 ms of page faults in a VM, more than the GEMM filling it).
 * Contents unspecified: every caller writes every element.
 */
function pooled(size: number): Float32Array {
  const backend = tf.backend() as unknown as {allocate?: (n: number) => Float32Array}
  return backend.allocate ? backend.allocate(size) : new Float32Array(size)
}

function nativeLoraLinear(addon: NativeAddon, x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, a: tf.Tensor2D, bLora: tf.Tensor2D, scale: number): tf.Tensor2D {
  const [N, din] = x.shape, dout = w.shape[1], r = a.shape[1]
  const op = fusedOp(([xi, ai, bi], save) => {
    const y = runKernel<tf.Tensor2D>(FUSED.linear, {x: xi, w, b})
    const X = tensorValues(xi), A = tensorValues(ai), B = tensorValues(bi)
    const XA = pooled(N * r)
    addon.sgemm(false, false, N, r, din, 1, X, 0, din, A, 0, r, 0, XA, 0, r) // x·A
    addon.sgemm(false, false, N, dout, r, scale, XA, 0, r, B, 0, dout, 1, tensorValues(y), 0, dout) // y += s·(x·A)·B
    const xa = tf.tensor2d(XA, [N, r])
    save([xi, ai, bi, xa])
    return {
      value: y,
      gradFunc: (dy, [xs, as, bs, xas]) => {
        const DY = tensorValues(dy), Xs = tensorValues(xs), As = tensorValues(as), Bs = tensorValues(bs), XAs = tensorValues(xas)
        const dyB = new Float32Array(N * r), dx = pooled(N * din), dA = pooled(din * r), dB = pooled(r * dout)
        addon.sgemm(false, true, N, r, dout, scale, DY, 0, dout, Bs, 0, dout, 0, dyB, 0, r) // s·dy·Bᵀ
        addon.sgemm(false, true, N, din, dout, 1, DY, 0, dout, tensorValues(w), 0, dout, 0, dx, 0, din) // dy·Wᵀ
        addon.sgemm(false, true, N, din, r, 1, dyB, 0, r, As, 0, r, 1, dx, 0, din) // + s·(dy·Bᵀ)·Aᵀ
        addon.sgemm(true, false, din, r, N, 1, Xs, 0, din, dyB, 0, r, 0, dA, 0, r) // xᵀ·(s·dy·Bᵀ)
        addon.sgemm(true, false, r, dout, N, scale, XAs, 0, r, DY, 0, dout, 0, dB, 0, dout) // s·(x·A)ᵀ·dy
        return [tf.tensor2d(dx, [N, din]), tf.tensor2d(dA, [din, r]), tf.tensor2d(dB, [r, dout])]
      },
    }
  })
  return op(x, a, bLora) as tf.Tensor2D
}
