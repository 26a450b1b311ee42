import * as tf from '@tensorflow/tfjs-core'

import {seededRng} from '../util/rng.js'
import {type GptConfig, parameterShapes} from './config.js'
import type {InferenceModel} from './inference.js'
import {causalSelfAttention} from './ops/attention.js'
import {crossEntropy} from './ops/cross-entropy.js'
import {embed} from './ops/embedding.js'
import {gelu} from './ops/gelu.js'
import {layerNorm} from './ops/layer-norm.js'
import {linear} from './ops/linear.js'
import {inferenceFor} from './tfjs-inference.js'

/** One batch of token windows, flattened row-major: B sequences of T tokens. */
export interface TokenBatch {
  batch: number
  time: number
  tokens: Int32Array // [B*T]
  positions: Int32Array // [B*T], usually 0..T-1 per row
  targets?: Int32Array // [B*T], the next token
  weights?: Float32Array // [B*T], 1 where the target counts towards the loss
}

export {parameterShapes}

let modelCounter = 0

/**
 * A decoder-only transformer: token + position embeddings, pre-norm blocks of causal
 * self-attention and a GELU MLP, a final LayerNorm and a (tied) output head.
 * Dense layers are 2-D matMuls over [B*T, D] (tfjs's batched-matmul gradient is unreliable).
 */
export class Gpt {
  readonly config: GptConfig
  readonly params: Map<string, tf.Variable>
  private readonly id = ++modelCounter

  private constructor(config: GptConfig, values: Map<string, tf.Tensor>) {
    this.config = config
    this.params = new Map()
    for (const [name, shape] of parameterShapes(config)) {
      const value = values.get(name)
      if (!value) throw new Error(`missing parameter ${name}`)
      if (value.shape.join('x') !== shape.join('x')) throw new Error(`parameter ${name} has shape ${value.shape}, expected ${shape}`)
      // Variable names are global in tfjs: prefix them so several models can live in one process.
      this.params.set(name, tf.variable(value, true, `gpt${this.id}/${name}`))
    }
  }

  /** GPT-2 initialisation from a seed: N(0, 0.02), residual projections scaled by 1/√(2·layers). */
  static init(config: GptConfig, seed: number): Gpt {
    const rng = seededRng(seed)
    const values = new Map<string, tf.Tensor>()
    for (const [name, shape] of parameterShapes(config)) {
      const size = shape.reduce((a, b) => a * b, 1)
      const data = new Float32Array(size)
      const last = name.split('.').pop() ?? name
      // LayerNorm gains start at 1, biases (b, bqkv, bo, b1, b2) at 0, matrices random.
      if (last === 'g') data.fill(1)
      else if (!/^b/.test(last)) {
        const std = name.endsWith('attn.wo') || name.endsWith('mlp.w2') ? 0.02 / Math.sqrt(2 * config.nLayers) : 0.02
        for (let i = 0; i < size; i++) data[i] = rng.normal() * std
      }
      values.set(name, tf.tensor(data, shape))
    }
    const model = new Gpt(config, values)
    for (const t of values.values()) t.dispose()
    return model
  }

  /** Builds a model from named weights (a loaded checkpoint); the tensors are copied. */
  static fromWeights(config: GptConfig, weights: Map<string, tf.Tensor>): Gpt {
    return new Gpt(config, weights)
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name)
    if (!v) throw new Error(`no parameter ${name}`)
    return v
  }

  /** Hidden states after the final LayerNorm: [B*T, D]. */
  hidden(batch: TokenBatch, training = false, dropoutSeed = 0): tf.Tensor2D {
    const {nLayers, nHeads, dropout} = this.config
    const drop = (x: tf.Tensor2D, salt: number): tf.Tensor2D =>
      training && dropout > 0 ? (tf.dropout(x, dropout, undefined, dropoutSeed * 1000 + salt) as tf.Tensor2D) : x
    const tokens = tf.tensor1d(batch.tokens, 'int32')
    const positions = tf.tensor1d(batch.positions, 'int32')
    let x = drop(embed(this.p('wte') as tf.Tensor2D, this.p('wpe') as tf.Tensor2D, tokens, positions), 0)
    for (let l = 0; l < nLayers; l++) {
      const w = (n: string) => this.p(`h.${l}.${n}`) as tf.Tensor2D
      const b = (n: string) => this.p(`h.${l}.${n}`) as tf.Tensor1D
      const h = layerNorm(x, b('ln1.g'), b('ln1.b'))
      const qkv = linear(h, w('attn.wqkv'), b('attn.bqkv'))
      const att = causalSelfAttention(qkv, batch.batch, batch.time, nHeads)
      x = tf.add(x, drop(linear(att, w('attn.wo'), b('attn.bo')), 2 * l + 1))
      const h2 = layerNorm(x, b('ln2.g'), b('ln2.b'))
      const m = linear(gelu(linear(h2, w('mlp.w1'), b('mlp.b1'))), w('mlp.w2'), b('mlp.b2'))
      x = tf.add(x, drop(m, 2 * l + 2))
    }
    return layerNorm(x, this.p('lnf.g') as tf.Tensor1D, this.p('lnf.b') as tf.Tensor1D)
  }

  /** Output logits for hidden states [N, D] → [N, V]. */
  head(hidden: tf.Tensor2D): tf.Tensor2D {
    if (this.config.tiedHead) return tf.matMul(hidden, this.p('wte') as tf.Tensor2D, false, true)
    return tf.matMul(hidden, this.p('head.w') as tf.Tensor2D)
  }

  logits(batch: TokenBatch): tf.Tensor2D {
    return tf.tidy(() => this.head(this.hidden(batch)))
  }

  /** Mean weighted next-token cross-entropy of a batch (targets and weights required). */
  loss(batch: TokenBatch, training = false, dropoutSeed = 0): tf.Scalar {
    if (!batch.targets || !batch.weights) throw new Error('loss needs targets and weights')
    const logits = this.head(this.hidden(batch, training, dropoutSeed))
    return crossEntropy(logits, tf.tensor1d(batch.targets, 'int32'), tf.tensor1d(batch.weights, 'float32'))
  }

  /**
   * The evaluation engine over the current weights (generation, scoring): the native decoder on
   * the `native` backend, tfjs ops elsewhere. Dispose it when done.
   */
  inference(): InferenceModel {
    return inferenceFor(this)
  }

  /** Parameter count. */
  get size(): number {
    let n = 0
    for (const v of this.params.values()) n += v.size
    return n
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose()
    this.params.clear()
  }
}
