import * as tf from '@tensorflow/tfjs-core'

import {FUSED} from '../../compute/kernel-names.js'
import {fusedOp, hasKernel, runKernel} from './fused.js'

/**
 * Mean cross-entropy of logits [N, V] against targets [N] (int32), weighted by w [N]:
 * Σ w·nll / Σ w. Weight 0 leaves a position out (the prompt of a question→answer record).
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  if (hasKernel(FUSED.crossEntropy)) {
    const op = fusedOp(([x], save) => {
      const [loss, probs] = runKernel<tf.Tensor[]>(FUSED.crossEntropy, {logits: x, targets, weights})
      // Saved tensors survive until the backward pass; closed-over ones would be disposed by then.
      save([probs, targets, weights])
      return {value: loss, gradFunc: (dy, [p, t, w]) => [runKernel<tf.Tensor>(FUSED.crossEntropyGrad, {probs: p, targets: t, weights: w, dy})]}
    })
    return op(logits) as tf.Scalar
  }
  const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(targets, logits.shape[1]), tf.logSoftmax(logits)), 1))
  return tf.div(tf.sum(tf.mul(nll, weights)), tf.maximum(tf.sum(weights), 1e-12)) as tf.Scalar
}

/** Per-position negative log-likelihood (nats) of targets under logits; no gradient needed. */
export function tokenNll(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  if (hasKernel(FUSED.tokenNll)) return runKernel<tf.Tensor1D>(FUSED.tokenNll, {logits, targets})
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.oneHot(targets, logits.shape[1]), tf.logSoftmax(logits)), 1))) as tf.Tensor1D
}
