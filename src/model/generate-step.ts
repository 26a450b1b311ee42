import * as tf from '@tensorflow/tfjs-core'

import type {NativeAddon} from '../compute/native-addon.js'
import {tensorValues} from '../compute/param-buffers.js'
import type {Gpt} from './gpt.js'
import {embed} from './ops/embedding.js'
import {gelu} from './ops/gelu.js'
import {layerNorm} from './ops/layer-norm.js'
import {linear} from './ops/linear.js'

/**
 * One forward pass of generation over new tokens at cache slots [start, start+L) of every
 * sequence; returns the logits [B, V] of each sequence's last new slot. Slot s of sequence b is
 * position s − pads[b].
 */
export interface StepRunner {
  run(tokens: number[][], start: number): Float32Array
  /** forget the cache (the next run starts at slot 0) */
  reset(): void
  dispose(): void
}

type Attend = (qkv: tf.Tensor2D, layer: number, L: number, start: number) => tf.Tensor2D

function positionsOf(pads: Int32Array, B: number, L: number, start: number): Int32Array {
  const out = new Int32Array(B * L)
  for (let b = 0; b < B; b++) for (let i = 0; i < L; i++) out[b * L + i] = Math.max(0, start + i - pads[b])
  return out
}

/** The transformer around an attention implementation: embeddings, blocks, final norm, head. */
function forward(model: Gpt, tokens: number[][], start: number, pads: Int32Array, attend: Attend): Float32Array {
  const B = tokens.length, L = tokens[0].length
  const p = (n: string) => model.params.get(n)!
  const logits = tf.tidy(() => {
    const ids = tf.tensor1d(Int32Array.from(tokens.flat()), 'int32')
    let x = embed(p('wte') as tf.Tensor2D, p('wpe') as tf.Tensor2D, ids, tf.tensor1d(positionsOf(pads, B, L, start), 'int32'))
    for (let l = 0; l < model.config.nLayers; l++) {
      const w = (n: string) => p(`h.${l}.${n}`) as tf.Tensor2D
      const v = (n: string) => p(`h.${l}.${n}`) as tf.Tensor1D
      const qkv = linear(layerNorm(x, v('ln1.g'), v('ln1.b')), w('attn.wqkv'), v('attn.bqkv'))
      x = tf.add(x, linear(attend(qkv, l, L, start), w('attn.wo'), v('attn.bo')))
      const m = linear(gelu(linear(layerNorm(x, v('ln2.g'), v('ln2.b')), w('mlp.w1'), v('mlp.b1'))), w('mlp.w2'), v('mlp.b2'))
      x = tf.add(x, m)
    }
    const last = L === 1 ? x : tf.gather(x, tf.tensor1d(Int32Array.from({length: B}, (_, b) => b * L + L - 1), 'int32'))
    return model.head(layerNorm(last, p('lnf.g') as tf.Tensor1D, p('lnf.b') as tf.Tensor1D))
  })
  const values = logits.dataSync().slice() as Float32Array
  logits.dispose()
  return values
}

/** Native backend: keys and values live in plain arrays updated in place by one native call per layer. */
export function nativeRunner(model: Gpt, addon: NativeAddon, B: number, pads: Int32Array): StepRunner {
  const {nHeads: H, dModel: D, contextLength: C, nLayers} = model.config
  const hd = D / H
  const caches = Array.from({length: nLayers}, () => ({k: new Float32Array(B * H * C * hd), v: new Float32Array(B * H * C * hd)}))
  const attend: Attend = (qkv, layer, L, start) => {
    const y = new Float32Array(B * L * D)
    addon.cachedAttention(tensorValues(qkv), caches[layer].k, caches[layer].v, y, pads, B, L, H, hd, C, start)
    return tf.tensor2d(y, [B * L, D])
  }
  return {run: (tokens, start) => forward(model, tokens, start, pads, attend), reset: () => {}, dispose: () => {}}
}

/** Any other backend: the cache as tensors grown by concat, attention from standard ops. */
export function compositeRunner(model: Gpt, B: number, pads: Int32Array): StepRunner {
  const {nHeads: H, dModel: D} = model.config
  const hd = D / H
  let caches: Array<{k: tf.Tensor4D; v: tf.Tensor4D}> = []
  const attend: Attend = (qkv, layer, L, start) => {
    const S = start + L
    const [q, k, v] = tf.unstack(tf.transpose(tf.reshape(qkv, [B, L, 3, H, hd]), [2, 0, 3, 1, 4])) as tf.Tensor4D[]
    const past = caches[layer]
    const K = past ? tf.concat([past.k, k], 2) : k
    const V = past ? tf.concat([past.v, v], 2) : v
    if (past) tf.dispose([past.k, past.v])
    caches[layer] = {k: tf.keep(K), v: tf.keep(V)}
    const mask = new Float32Array(B * L * S)
    for (let b = 0; b < B; b++)
      for (let i = 0; i < L; i++) for (let j = 0; j < S; j++) if (j > start + i || j < pads[b]) mask[(b * L + i) * S + j] = -1e9
    const scores = tf.add(tf.mul(tf.matMul(q, K, false, true), 1 / Math.sqrt(hd)), tf.tensor4d(mask, [B, 1, L, S]))
    return tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), V), [0, 2, 1, 3]), [B * L, D]) as tf.Tensor2D
  }
  const clear = () => {
    for (const c of caches) tf.dispose([c.k, c.v])
    caches = []
  }
  return {run: (tokens, start) => forward(model, tokens, start, pads, attend), reset: clear, dispose: clear}
}
