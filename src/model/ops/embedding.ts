import * as tf from '@tensorflow/tfjs-core'

import {FUSED} from '../../compute/kernel-names.js'
import {fusedOp, hasKernel, runKernel} from './fused.js'

/**
 * Token plus position embeddings: x [N, D] = wte[tokens] + wpe[positions], tokens and positions
 * int32 [N]. Positions are explicit so left-padded generation batches keep each sequence at 0.
 */
export function embed(wte: tf.Tensor2D, wpe: tf.Tensor2D, tokens: tf.Tensor1D, positions: tf.Tensor1D): tf.Tensor2D {
  if (hasKernel(FUSED.embedding)) {
    const op = fusedOp(([te, pe], save) => {
      // Saved tensors survive until the backward pass; closed-over ones would be disposed by then.
      save([tokens, positions])
      return {
        value: runKernel<tf.Tensor>(FUSED.embedding, {wte: te, wpe: pe, idx: tokens, positions}),
        gradFunc: (dy, [tok, pos]) => runKernel<tf.Tensor[]>(FUSED.embeddingGrad, {dy, idx: tok, positions: pos}, {vocab: wte.shape[0], maxPositions: wpe.shape[0]}),
      }
    })
    return op(wte, wpe) as tf.Tensor2D
  }
  return tf.add(tf.gather(wte, tokens), tf.gather(wpe, positions))
}
