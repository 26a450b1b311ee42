import * as tf from '@tensorflow/tfjs-core'

import type {Gpt, TokenBatch} from './gpt.js'

/**
 * What the learned controller reads of the model itself (Xu et al. 2019's model features): the
 * probability the model gives the true next token at each counted position of a fixed batch (its
 * predictions), and the mean and variance of its output layer's weights (`head.w` [D, V], or the
 * tied embedding `wte` [V, D]).
 */
export interface ModelSnapshot {
  /** p(target) at each position whose weight is > 0, in batch order */
  targetProbs: Float64Array
  headMean: number
  headVar: number
}

/**
 * Reads a snapshot of `model` on `batch` (targets and weights required): one forward pass without
 * dropout, softmax over the vocabulary, the target's probability; the output layer's moments in float64.
 *
 * @example modelSnapshot(model, validationBatches(stream, 8, 128, 1)[0]).headVar
 */
export function modelSnapshot(model: Gpt, batch: TokenBatch): ModelSnapshot {
  if (!batch.targets || !batch.weights) throw new Error('modelSnapshot needs a batch with targets and weights')
  const probs = tf.tidy(() => tf.softmax(model.logits(batch)).dataSync() as Float32Array)
  const V = model.config.vocabSize
  const targetProbs: number[] = []
  for (let i = 0; i < batch.batch * batch.time; i++) if (batch.weights[i] > 0) targetProbs.push(probs[i * V + batch.targets[i]])
  const head = (model.params.get(model.config.tiedHead ? 'wte' : 'head.w') as tf.Variable).dataSync() as Float32Array
  let sum = 0
  for (const w of head) sum += w
  const headMean = sum / head.length
  let sq = 0
  for (const w of head) sq += (w - headMean) ** 2
  return {targetProbs: Float64Array.from(targetProbs), headMean, headVar: sq / head.length}
}
