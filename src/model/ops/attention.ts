import * as tf from '@tensorflow/tfjs-core'

import {FUSED} from '../../compute/kernel-names.js'
import {fusedOp, hasKernel, runKernel} from './fused.js'

const masks = new Map<string, tf.Tensor2D>()

/** The additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above (kept per backend). */
export function causalMask(T: number): tf.Tensor2D {
  const key = `${tf.getBackend()}:${T}`
  let mask = masks.get(key)
  if (!mask) {
    const values = new Float32Array(T * T)
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) values[i * T + j] = -1e9
    mask = tf.keep(tf.tensor2d(values, [T, T]))
    masks.set(key, mask)
  }
  return mask
}

/**
 * Causal multi-head self-attention over packed projections.
 * qkv [B*T, 3*D] (q | k | v, head h in columns h*hd…) → [B*T, D]
 */
export function causalSelfAttention(qkv: tf.Tensor2D, batch: number, time: number, heads: number): tf.Tensor2D {
  if (hasKernel(FUSED.attention)) {
    const op = fusedOp(([x], save) => {
      const [y, probs] = runKernel<tf.Tensor[]>(FUSED.attention, {qkv: x}, {batch, time, heads})
      save([x, probs])
      return {
        value: y,
        gradFunc: (dy, [xs, p]) => [runKernel<tf.Tensor>(FUSED.attentionGrad, {dy, qkv: xs, probs: p}, {batch, time, heads})],
      }
    })
    return op(qkv) as tf.Tensor2D
  }
  const D = qkv.shape[1] / 3
  const hd = D / heads
  // (B, T, 3, H, hd) → (3, B, H, T, hd)
  const split = tf.transpose(tf.reshape(qkv, [batch, time, 3, heads, hd]), [2, 0, 3, 1, 4])
  const [q, k, v] = tf.unstack(split) as tf.Tensor4D[]
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)), causalMask(time)) // (B, H, T, T)
  const y = tf.matMul(tf.softmax(scores), v) // (B, H, T, hd)
  return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [batch * time, D])
}
