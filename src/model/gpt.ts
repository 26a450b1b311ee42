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
import {loraLinear, loraLinearComposite} from './ops/lora-linear.js'
import {adapterShapes, type LoraSpec, loraScale, mergeAdapters} from './lora.js'
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
  /** LoRA adapters (`<weight>.lora_a`/`.lora_b`) when attached: then only they train. */
  readonly adapters = new Map<string, tf.Variable>()
  private lora: LoraSpec | null = null
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

  /**
   * Attaches LoRA adapters (values by adapterShapes name, e.g. from initAdapters): from now on the
   * forward pass adds scale·x·A·B on the adapted weights and {@link trainable} is the adapters only.
   */
  attachAdapters(spec: LoraSpec, values: ReadonlyMap<string, Float32Array>): void {
    if (this.lora) throw new Error('adapters are already attached')
    for (const [name, shape] of adapterShapes(this.config, spec)) {
      const v = values.get(name)
      if (!v || v.length !== shape[0] * shape[1]) throw new Error(`adapter ${name} missing or not ${shape.join('x')}`)
      this.adapters.set(name, tf.variable(tf.tensor2d(v, shape as [number, number]), true, `gpt${this.id}/${name}`))
    }
    this.lora = spec
  }

  /** The LoRA settings of attached adapters, or null for a plain model. */
  get loraSpec(): LoraSpec | null {
    return this.lora
  }

  /** What an optimizer updates: the adapters when attached (the base stays frozen), else every weight. */
  trainable(): Map<string, tf.Variable> {
    return this.lora ? this.adapters : this.params
  }

  /**
   * The weights a plain model with the same outputs has (adapters merged in when attached, scaled
   * by `factor`): what inference engines and saved model folders take. Float32 arrays by name.
   */
  weightValues(factor = 1): Map<string, Float32Array> {
    const base = new Map([...this.params].map(([name, v]) => [name, v.dataSync() as Float32Array]))
    if (!this.lora) return base
    const adapters = new Map([...this.adapters].map(([name, v]) => [name, v.dataSync() as Float32Array]))
    return mergeAdapters(this.config, this.lora, base, adapters, factor)
  }

  /** A plain model with this one's outputs: adapters (scaled by `factor`) merged into a copy of the weights. */
  merged(factor = 1): Gpt {
    const values = new Map([...this.weightValues(factor)].map(([n, v]) => [n, tf.tensor(v, this.params.get(n)!.shape)]))
    const model = new Gpt(this.config, values)
    tf.dispose([...values.values()])
    return model
  }

  /** A dense layer of block `l`: the base linear, plus the adapter on adapted weights. */
  private dense(l: number, name: string, x: tf.Tensor2D, bias: string, training: boolean, salt: number): tf.Tensor2D {
    const w = this.p(`h.${l}.${name}`) as tf.Tensor2D
    const b = this.p(`h.${l}.${bias}`) as tf.Tensor1D
    const a = this.adapters.get(`h.${l}.${name}.lora_a`)
    if (!this.lora || !a) return linear(x, w, b)
    const bl = this.adapters.get(`h.${l}.${name}.lora_b`) as tf.Tensor2D
    const scale = loraScale(this.lora)
    if (training && this.lora.dropout > 0) {
      const dropped = tf.dropout(x, this.lora.dropout, undefined, salt) as tf.Tensor2D
      return loraLinearComposite(x, w, b, a as tf.Tensor2D, bl, scale, dropped)
    }
    return loraLinear(x, w, b, a as tf.Tensor2D, bl, scale)
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
      const b = (n: string) => this.p(`h.${l}.${n}`) as tf.Tensor1D
      const h = layerNorm(x, b('ln1.g'), b('ln1.b'))
      const salt = dropoutSeed * 1000 + 500 + 4 * l
      const qkv = this.dense(l, 'attn.wqkv', h, 'attn.bqkv', training, salt)
      const att = causalSelfAttention(qkv, batch.batch, batch.time, nHeads)
      x = tf.add(x, drop(this.dense(l, 'attn.wo', att, 'attn.bo', training, salt + 1), 2 * l + 1))
      const h2 = layerNorm(x, b('ln2.g'), b('ln2.b'))
      const m = this.dense(l, 'mlp.w2', gelu(this.dense(l, 'mlp.w1', h2, 'mlp.b1', training, salt + 2)), 'mlp.b2', training, salt + 3)
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
    for (const v of this.adapters.values()) v.dispose()
    this.params.clear()
    this.adapters.clear()
  }
}
