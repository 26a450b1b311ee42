import * as tf from '@tensorflow/tfjs-core'

import {FUSED} from '../../compute/kernel-names.js'
import {fusedOp, hasKernel, runKernel} from './fused.js'

const fusedLinear = fusedOp(([x, w, b], save) => {
  save([x, w])
  return {
    value: runKernel<tf.Tensor>(FUSED.linear, {x, w, b}),
    gradFunc: (dy, [xs, ws]) => runKernel<tf.Tensor[]>(FUSED.linearGrad, {dy, x: xs, w: ws}),
  }
})

/** A dense layer as a 2-D matMul: x [N, Din] · w [Din, Dout] + b [Dout] → [N, Dout]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (hasKernel(FUSED.linear)) return fusedLinear(x, w, b) as tf.Tensor2D
  return tf.add(tf.matMul(x, w), b)
}
