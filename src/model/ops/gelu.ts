import * as tf from '@tensorflow/tfjs-core'

import {FUSED} from '../../compute/kernel-names.js'
import {fusedOp, hasKernel, runKernel} from './fused.js'

const fusedGelu = fusedOp(([x], save) => {
  save([x])
  return {value: runKernel<tf.Tensor>(FUSED.gelu, {x}), gradFunc: (dy, [xs]) => [runKernel<tf.Tensor>(FUSED.geluGrad, {x: xs, dy})]}
})

/** GELU, tanh approximation as in GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu<T extends tf.Tensor>(x: T): T {
  if (hasKernel(FUSED.gelu)) return fusedGelu(x) as T
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner))) as T
}
