import * as tf from '@tensorflow/tfjs-core'

import {seededRng} from '../util/rng.js'
import type {Gpt} from './gpt.js'
import {gelu} from './ops/gelu.js'
import {layerNorm} from './ops/layer-norm.js'
import {linear} from './ops/linear.js'
import type {CharTokenizer} from './tokenizer.js'

export interface GenerateOptions {
  maxTokens: number
  /** 0 = greedy */
  temperature: number
  /** 0 = no top-k filter */
  topK: number
  /** generation of a sequence ends at the first of these (not included in the output) */
  stop: string[]
  batchSize: number
  seed: number
  /** false recomputes the whole prefix per token (slow; the reference the KV cache must match) */
  cache?: boolean
}

interface LayerCache {
  k: tf.Tensor4D // (B, H, t, hd)
  v: tf.Tensor4D
}

/**
 * Batched generation. Prompts are left-padded to a common length; each sequence keeps its own
 * positions (its prompt starts at 0) and pad keys are masked. With the cache, each new token
 * attends over stored keys/values instead of recomputing the prefix.
 */
export function generate(model: Gpt, tokenizer: CharTokenizer, prompts: readonly string[], options: GenerateOptions, onProgress?: (done: number) => void): string[] {
  const outputs: string[] = new Array(prompts.length)
  // Similar lengths together: less padding per batch.
  const order = prompts.map((p, i) => [tokenizer.encode(p).length, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i)
  const rng = seededRng(options.seed)
  let done = 0
  for (let i = 0; i < order.length; i += options.batchSize) {
    const idx = order.slice(i, i + options.batchSize)
    const texts = generateBatch(model, tokenizer, idx.map((j) => prompts[j]), options, rng)
    idx.forEach((j, k) => (outputs[j] = texts[k]))
    done += idx.length
    onProgress?.(done / prompts.length)
  }
  return outputs
}

function generateBatch(model: Gpt, tokenizer: CharTokenizer, prompts: string[], options: GenerateOptions, rng: ReturnType<typeof seededRng>): string[] {
  const {contextLength: C} = model.config
  const B = prompts.length
  // Keep the end of over-long prompts, leaving room for at least one new token.
  const encoded = prompts.map((p) => {
    const ids = tokenizer.encode(p)
    return ids.length > C - 1 ? ids.subarray(ids.length - (C - 1)) : ids
  })
  const promptLen = Math.max(1, ...encoded.map((e) => e.length))
  const maxNew = Math.max(0, Math.min(options.maxTokens, C - promptLen))
  const pads = encoded.map((e) => promptLen - e.length)
  const seqs: number[][] = encoded.map((e, b) => [...new Array(pads[b]).fill(0), ...e])
  const generated: number[][] = prompts.map(() => [])
  const finished = new Array(B).fill(false)
  const texts = new Array(B).fill('')
  let cache: LayerCache[] | null = null

  try {
    for (let step = 0; step < maxNew && finished.some((f) => !f); step++) {
      let logits: Float32Array
      if (options.cache === false || cache === null) {
        const result = forward(model, seqs, pads)
        logits = result.logits
        if (options.cache !== false) cache = result.cache
        else tf.dispose(result.cache.flatMap((c) => [c.k, c.v]))
      } else {
        const result = forwardCached(model, seqs, pads, cache)
        logits = result.logits
        cache = result.cache
      }
      for (let b = 0; b < B; b++) {
        const next = pick(logits.subarray(b * tokenizer.size, (b + 1) * tokenizer.size), options, rng)
        seqs[b].push(next)
        if (finished[b]) continue
        generated[b].push(next)
        texts[b] = tokenizer.decode(generated[b])
        for (const stop of options.stop) {
          const at = stop === '' ? -1 : texts[b].indexOf(stop)
          if (at >= 0) {
            texts[b] = texts[b].slice(0, at)
            finished[b] = true
          }
        }
      }
    }
  } finally {
    if (cache) tf.dispose(cache.flatMap((c) => [c.k, c.v]))
  }
  return texts
}

/** Greedy, or temperature sampling among the top k. */
function pick(logits: Float32Array, options: GenerateOptions, rng: ReturnType<typeof seededRng>): number {
  if (options.temperature <= 0) {
    let best = 0
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i
    return best
  }
  let ids = Array.from(logits.keys())
  if (options.topK > 0 && options.topK < ids.length) ids = ids.sort((a, b) => logits[b] - logits[a]).slice(0, options.topK)
  const max = Math.max(...ids.map((i) => logits[i]))
  const weights = ids.map((i) => Math.exp((logits[i] - max) / options.temperature))
  let r = rng.next() * weights.reduce((a, b) => a + b, 0)
  for (let k = 0; k < ids.length; k++) {
    r -= weights[k]
    if (r <= 0) return ids[k]
  }
  return ids[ids.length - 1]
}

/** Additive mask (B, 1, L, S): query i of sequence b sees keys j ≤ offset+i that are not padding. */
function attentionMask(pads: number[], L: number, S: number): tf.Tensor4D {
  const B = pads.length
  const values = new Float32Array(B * L * S)
  const offset = S - L
  for (let b = 0; b < B; b++)
    for (let i = 0; i < L; i++)
      for (let j = 0; j < S; j++) if (j > offset + i || j < pads[b]) values[(b * L + i) * S + j] = -1e9
  return tf.tensor4d(values, [B, 1, L, S])
}

function block(model: Gpt, l: number, x: tf.Tensor2D, B: number, L: number, past: LayerCache | null, mask: tf.Tensor4D): {x: tf.Tensor2D; cache: LayerCache} {
  const {nHeads: H, dModel: D} = model.config
  const hd = D / H
  const p = (n: string) => model.params.get(`h.${l}.${n}`)!
  const h = layerNorm(x, p('ln1.g') as tf.Tensor1D, p('ln1.b') as tf.Tensor1D)
  const qkv = linear(h, p('attn.wqkv') as tf.Tensor2D, p('attn.bqkv') as tf.Tensor1D)
  const [q, k, v] = tf.unstack(tf.transpose(tf.reshape(qkv, [B, L, 3, H, hd]), [2, 0, 3, 1, 4])) as tf.Tensor4D[]
  const K = past ? tf.concat([past.k, k], 2) : k
  const V = past ? tf.concat([past.v, v], 2) : v
  const scores = tf.add(tf.mul(tf.matMul(q, K, false, true), 1 / Math.sqrt(hd)), mask) // (B, H, L, S)
  const y = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), V), [0, 2, 1, 3]), [B * L, D])
  const x1: tf.Tensor2D = tf.add(x, linear(y as tf.Tensor2D, p('attn.wo') as tf.Tensor2D, p('attn.bo') as tf.Tensor1D))
  const h2 = layerNorm(x1, p('ln2.g') as tf.Tensor1D, p('ln2.b') as tf.Tensor1D)
  const m = linear(gelu(linear(h2, p('mlp.w1') as tf.Tensor2D, p('mlp.b1') as tf.Tensor1D)), p('mlp.w2') as tf.Tensor2D, p('mlp.b2') as tf.Tensor1D)
  return {x: tf.add(x1, m) as tf.Tensor2D, cache: {k: K, v: V}}
}

/** Logits of each sequence's last position, given `tokens` new tokens per sequence after `past`. */
function run(model: Gpt, newTokens: number[][], positions: number[][], pads: number[], past: LayerCache[] | null): {logits: Float32Array; cache: LayerCache[]} {
  const B = newTokens.length, L = newTokens[0].length
  const S = (past ? past[0].k.shape[2] : 0) + L
  const result = tf.tidy(() => {
    const ids = tf.tensor1d(Int32Array.from(newTokens.flat()), 'int32')
    const pos = tf.tensor1d(Int32Array.from(positions.flat()), 'int32')
    let x: tf.Tensor2D = tf.add(tf.gather(model.params.get('wte')!, ids), tf.gather(model.params.get('wpe')!, pos))
    const mask = attentionMask(pads, L, S)
    const kv: tf.Tensor4D[] = []
    for (let l = 0; l < model.config.nLayers; l++) {
      const out = block(model, l, x as tf.Tensor2D, B, L, past ? past[l] : null, mask)
      x = out.x
      kv.push(out.cache.k, out.cache.v)
    }
    const last = tf.reshape(tf.slice(tf.reshape(x, [B, L, -1]), [0, L - 1, 0], [B, 1, -1]), [B, -1]) as tf.Tensor2D
    const hidden = layerNorm(last, model.params.get('lnf.g') as tf.Tensor1D, model.params.get('lnf.b') as tf.Tensor1D)
    return {logits: model.head(hidden), kv}
  })
  const logits = result.logits.dataSync().slice() as Float32Array
  result.logits.dispose()
  const cache: LayerCache[] = []
  for (let l = 0; l < result.kv.length; l += 2) cache.push({k: result.kv[l], v: result.kv[l + 1]})
  return {logits, cache}
}

/** Full forward over each whole sequence so far. */
function forward(model: Gpt, seqs: number[][], pads: number[]) {
  const positions = seqs.map((s, b) => s.map((_, j) => Math.max(0, j - pads[b])))
  return run(model, seqs, positions, pads, null)
}

/** One new token per sequence over the cached keys and values (the old cache is released). */
function forwardCached(model: Gpt, seqs: number[][], pads: number[], cache: LayerCache[]) {
  const last = seqs.map((s) => [s[s.length - 1]])
  const positions = seqs.map((s, b) => [s.length - 1 - pads[b]])
  const result = run(model, last, positions, pads, cache)
  tf.dispose(cache.flatMap((c) => [c.k, c.v]))
  return result
}
