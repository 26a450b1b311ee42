import * as tf from '@tensorflow/tfjs-core'

import {activeAddon} from '../compute/backend.js'
import {tensorValues} from '../compute/param-buffers.js'
import type {Gpt} from './gpt.js'
import {type InferenceModel, type KvDecoder, SEQUENCE_FIELDS} from './inference.js'
import {NativeGpt} from './native-gpt.js'
import {tokenNll} from './ops/cross-entropy.js'
import {embed} from './ops/embedding.js'
import {gelu} from './ops/gelu.js'
import {layerNorm} from './ops/layer-norm.js'
import {linear} from './ops/linear.js'

/**
 * The evaluation engine of a loaded tfjs model: on the `native` backend a {@link NativeGpt} over
 * a copy of the current weights (dispose it when done); on any other backend tfjs ops.
 */
export function inferenceFor(model: Gpt): InferenceModel {
  const addon = activeAddon()
  if (addon !== null && tf.getBackend() === 'native') {
    // An adapted model decodes with its adapters merged in (a fresh copy); a plain one shares its arrays.
    const weights = model.loraSpec ? model.weightValues() : new Map([...model.params].map(([name, v]) => [name, tensorValues(v)]))
    return NativeGpt.fromWeights(addon, model.config, weights)
  }
  if (model.loraSpec) {
    const merged = model.merged()
    const inner = new TfjsInference(merged)
    return Object.assign(inner, {dispose: () => merged.dispose()})
  }
  return new TfjsInference(model)
}

/** Standard tfjs ops, one sequence per forward pass (the slow reference path for cpu/tensorflow). */
class TfjsInference implements InferenceModel {
  readonly config

  constructor(private readonly model: Gpt) {
    this.config = model.config
  }

  decoder(slots: number): KvDecoder {
    return new TfjsDecoder(this.model, slots)
  }

  rowNll(tokens: Int32Array, seqs: Int32Array, nseq: number, targets: Int32Array, nll: Float32Array): void {
    // One padded batch [nseq, longest]: padding follows each sequence, so causal attention never sees it.
    let T = 1
    for (let i = 0; i < nseq; i++) T = Math.max(T, seqs[i * SEQUENCE_FIELDS + 1])
    const ids = new Int32Array(nseq * T), tgt = new Int32Array(nseq * T), positions = new Int32Array(nseq * T)
    for (let i = 0; i < nseq; i++) {
      const row = seqs[i * SEQUENCE_FIELDS], length = seqs[i * SEQUENCE_FIELDS + 1]
      for (let t = 0; t < T; t++) positions[i * T + t] = t
      ids.set(tokens.subarray(row, row + length), i * T)
      tgt.set(targets.subarray(row, row + length), i * T)
    }
    const values = tf.tidy(() => {
      const logits = this.model.head(this.model.hidden({batch: nseq, time: T, tokens: ids, positions}))
      return tokenNll(logits, tf.tensor1d(tgt, 'int32')).dataSync()
    })
    for (let i = 0; i < nseq; i++) {
      const row = seqs[i * SEQUENCE_FIELDS], length = seqs[i * SEQUENCE_FIELDS + 1]
      nll.set(values.subarray(i * T, i * T + length), row)
    }
  }

  dispose(): void {}
}

/** Key/value cache per slot as tensors grown by concat; attention from standard ops. */
class TfjsDecoder implements KvDecoder {
  private readonly caches: Array<Array<{k: tf.Tensor4D; v: tf.Tensor4D}>>
  private readonly filled: Int32Array

  constructor(private readonly model: Gpt, slots: number) {
    this.caches = Array.from({length: slots}, () => [])
    this.filled = new Int32Array(slots)
  }

  forward(tokens: Int32Array, seqs: Int32Array, nseq: number, logits: Float32Array): void {
    const V = this.model.config.vocabSize
    for (let i = 0; i < nseq; i++) {
      const [row, length, slot, position] = seqs.subarray(i * SEQUENCE_FIELDS, (i + 1) * SEQUENCE_FIELDS)
      if (position === 0) this.clear(slot)
      if (this.filled[slot] !== position) throw new Error(`decoder slot ${slot} holds ${this.filled[slot]} tokens, not ${position}`)
      logits.set(this.run(tokens.subarray(row, row + length), slot, position), i * V)
      this.filled[slot] = position + length
    }
  }

  /** One sequence's new tokens at positions [start, start+L): logits [V] of the last one. */
  private run(ids: Int32Array, slot: number, start: number): Float32Array {
    const {nHeads: H, dModel: D, nLayers} = this.model.config
    const hd = D / H, L = ids.length, S = start + L
    const p = (n: string) => this.model.params.get(n)!
    const caches = this.caches[slot]
    const logits = tf.tidy(() => {
      const positions = Int32Array.from({length: L}, (_, i) => start + i)
      let x = embed(p('wte') as tf.Tensor2D, p('wpe') as tf.Tensor2D, tf.tensor1d(ids, 'int32'), tf.tensor1d(positions, 'int32'))
      for (let l = 0; l < nLayers; l++) {
        const w = (n: string) => p(`h.${l}.${n}`) as tf.Tensor2D
        const v = (n: string) => p(`h.${l}.${n}`) as tf.Tensor1D
        const qkv = linear(layerNorm(x, v('ln1.g'), v('ln1.b')), w('attn.wqkv'), v('attn.bqkv'))
        const [q, k, val] = tf.unstack(tf.transpose(tf.reshape(qkv, [1, L, 3, H, hd]), [2, 0, 3, 1, 4])) as tf.Tensor4D[]
        const past = caches[l]
        const K = past ? tf.concat([past.k, k], 2) : k
        const Vv = past ? tf.concat([past.v, val], 2) : val
        if (past) tf.dispose([past.k, past.v])
        caches[l] = {k: tf.keep(K), v: tf.keep(Vv)}
        const mask = new Float32Array(L * S)
        for (let i = 0; i < L; i++) for (let j = start + i + 1; j < S; j++) mask[i * S + j] = -1e9
        const scores = tf.add(tf.mul(tf.matMul(q, K, false, true), 1 / Math.sqrt(hd)), tf.tensor4d(mask, [1, 1, L, S]))
        const att = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), Vv), [0, 2, 1, 3]), [L, D]) as tf.Tensor2D
        x = tf.add(x, linear(att, w('attn.wo'), v('attn.bo')))
        x = tf.add(x, linear(gelu(linear(layerNorm(x, v('ln2.g'), v('ln2.b')), w('mlp.w1'), v('mlp.b1'))), w('mlp.w2'), v('mlp.b2')))
      }
      const last = tf.slice(x, [L - 1, 0], [1, D]) as tf.Tensor2D
      return this.model.head(layerNorm(last, p('lnf.g') as tf.Tensor1D, p('lnf.b') as tf.Tensor1D))
    })
    const values = logits.dataSync() as Float32Array
    logits.dispose()
    return values
  }

  private clear(slot: number): void {
    for (const c of this.caches[slot]) tf.dispose([c.k, c.v])
    this.caches[slot] = []
    this.filled[slot] = 0
  }

  dispose(): void {
    this.caches.forEach((_, slot) => this.clear(slot))
  }
}
