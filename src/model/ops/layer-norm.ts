import * as tf from '@tensorflow/tfjs-core'

import {FUSED} from '../../compute/kernel-names.js'
import {fusedOp, hasKernel, runKernel} from './fused.js'

export const LAYER_NORM_EPS = 1e-5

const fusedLayerNorm = fusedOp(([x, gamma, beta], save) => {
  const [y, mean, rstd] = runKernel<tf.Tensor[]>(FUSED.layerNorm, {x, gamma, beta}, {eps: LAYER_NORM_EPS})
  save([x, gamma, mean, rstd])
  return {
    value: y,
    gradFunc: (dy, [xs, g, m, r]) => runKernel<tf.Tensor[]>(FUSED.layerNormGrad, {dy, x: xs, gamma: g, mean: m, rstd: r}),
  }
})

/** LayerNorm over the last axis of x [N, D] with learned gain and bias [D]. */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor2D {
  if (hasKernel(FUSED.layerNorm)) return fusedLayerNorm(x, gamma, beta) as tf.Tensor2D
  const {mean, variance} = tf.moments(x, -1, true)
  const xhat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LAYER_NORM_EPS)))
  return tf.add(tf.mul(xhat, gamma), beta)
}
