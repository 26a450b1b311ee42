import * as tf from '@tensorflow/tfjs-core'

import {activeAddon} from '../src/compute/backend.js'
import {type GptConfig, parameterShapes, REFERENCE_SHAPE} from '../src/model/config.js'
import {generate} from '../src/model/generate.js'
import {Gpt, type TokenBatch} from '../src/model/gpt.js'
import {scoreRecords} from '../src/model/score.js'
import {CharTokenizer} from '../src/model/tokenizer.js'
import {clipScale, globalNorm, Optimizer} from '../src/train/optimizer.js'

/** A bench shape: d_model, layers, heads, context, batch. */
export interface Shape {
  D: number
  L: number
  H: number
  T: number
  B: number
}

export const REFERENCE: Shape = {D: 128, L: 4, H: 4, T: 128, B: 16}

export function configOf(s: Shape): GptConfig {
  return {...REFERENCE_SHAPE, dModel: s.D, nLayers: s.L, nHeads: s.H, contextLength: s.T}
}

/** Model FLOPs per trained token: 6·N_non-embedding + 12·L·T·d (Kaplan et al.'s count). */
export function flopsPerToken(s: Shape): number {
  const nonEmbedding = parameterShapes(configOf(s))
    .filter(([name]) => name !== 'wte' && name !== 'wpe')
    .reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0)
  return 6 * nonEmbedding + 12 * s.L * s.T * s.D
}

/** B sequences of T tokens, every target counted. */
export function benchBatch(s: Shape): TokenBatch {
  const n = s.B * s.T, V = REFERENCE_SHAPE.vocabSize
  const tokens = new Int32Array(n), targets = new Int32Array(n), positions = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    tokens[i] = (i * 31 + 7) % V
    targets[i] = (i * 31 + 38) % V
    positions[i] = i % s.T
  }
  return {batch: s.B, time: s.T, tokens, positions, targets, weights: new Float32Array(n).fill(1)}
}

/** ms per full fine-tune step (forward, backward, global-norm clip 1.0, AdamW) at a shape. */
export function trainStepMs(shape: Shape, steps: number, warmup = 1): number {
  const model = Gpt.init(configOf(shape), 1)
  const optimizer = new Optimizer({type: 'adamw', weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0})
  const variables = [...model.params.values()]
  const nameOf = new Map([...model.params].map(([name, v]) => [v.name, name]))
  const batch = benchBatch(shape)
  let started = 0
  for (let s = 0; s < warmup + steps; s++) {
    if (s === warmup) {
      started = performance.now()
      profile.clear()
    }
    const {value, grads} = tf.variableGrads(() => model.loss(batch), variables)
    value.dataSync()
    const named = new Map(Object.entries(grads).map(([k, g]) => [nameOf.get(k)!, g]))
    optimizer.step(model.params, named, 1e-4, clipScale(globalNorm(named.values()), 1))
    tf.dispose([value, ...named.values()])
  }
  const ms = (performance.now() - started) / steps
  model.dispose()
  return ms
}

/** ms spent in each native kernel since the last clear (see profileKernels). */
export const profile = new Map<string, number>()

/** Wraps every function of the active addon with a timer feeding `profile`. */
export function profileKernels(): void {
  const addon = activeAddon() as unknown as Record<string, unknown> | null
  if (!addon) return
  for (const [name, fn] of Object.entries(addon)) {
    if (typeof fn !== 'function' || ['loadBlas', 'setThreads', 'getThreads'].includes(name)) continue
    addon[name] = (...args: unknown[]) => {
      const t = performance.now()
      try {
        return (fn as (...a: unknown[]) => unknown)(...args)
      } finally {
        profile.set(name, (profile.get(name) ?? 0) + performance.now() - t)
      }
    }
  }
}

/**
 * GFLOP/s of the GEMMs one training step makes at this shape (forward and both backward
 * products of every dense layer and the tied head, the attention products per head), each
 * through the addon's sgemm as training calls it: the peak the step could reach.
 */
export function shapeGemmGflops(shape: Shape, repeats = 3): number {
  const addon = activeAddon()
  if (!addon) return Number.NaN
  const {D, L, H, T, B} = shape
  const N = B * T, V = REFERENCE_SHAPE.vocabSize, hd = D / H
  const dense: Array<[number, number, number]> = [[D, 3 * D, L], [D, D, L], [D, 4 * D, L], [4 * D, D, L]]
  const products: Array<{ta: boolean; tb: boolean; M: number; N: number; K: number; count: number}> = []
  for (const [din, dout, count] of dense) {
    products.push({ta: false, tb: false, M: N, N: dout, K: din, count}) // y = x·w
    products.push({ta: false, tb: true, M: N, N: din, K: dout, count}) // dx = dy·wᵀ
    products.push({ta: true, tb: false, M: din, N: dout, K: N, count}) // dw = xᵀ·dy
  }
  products.push({ta: false, tb: true, M: N, N: V, K: D, count: 1}, {ta: false, tb: false, M: N, N: D, K: V, count: 1}, {ta: true, tb: false, M: V, N: D, K: N, count: 1})
  const bufferA = new Float32Array(Math.max(...products.map((p) => p.M * p.K))).fill(0.01)
  const bufferB = new Float32Array(Math.max(...products.map((p) => p.K * p.N))).fill(0.02)
  const bufferC = new Float32Array(Math.max(...products.map((p) => p.M * p.N), B * H * T * T))
  const att = new Float32Array(B * H * T * Math.max(T, hd)).fill(0.01)
  let flops = 0
  const once = () => {
    for (const p of products) {
      for (let c = 0; c < p.count; c++) addon.sgemm(p.ta, p.tb, p.M, p.N, p.K, 1, bufferA, 0, p.ta ? p.M : p.K, bufferB, 0, p.tb ? p.K : p.N, 0, bufferC, 0, p.N)
    }
    // attention per (batch, head): S = QKᵀ, Y = PV forward; dV, dP, dQ, dK backward (6 products)
    for (let l = 0; l < L; l++) {
      for (let k = 0; k < 3; k++) addon.batchedSgemm(B * H, false, true, T, T, hd, att, T * hd, att, T * hd, bufferC)
      for (let k = 0; k < 3; k++) addon.batchedSgemm(B * H, false, false, T, hd, T, att, T * T, att, T * hd, bufferC)
    }
  }
  for (const p of products) flops += 2 * p.M * p.N * p.K * p.count
  flops += L * 6 * 2 * B * H * T * T * hd
  once()
  const started = performance.now()
  for (let r = 0; r < repeats; r++) once()
  return (flops * repeats) / ((performance.now() - started) / 1000) / 1e9
}

/** GFLOP/s of tf.matMul 2048×256 · 256×1024 on the active backend. */
export function matmulGflops(repeats = 20): number {
  const a = tf.randomNormal([2048, 256]), b = tf.randomNormal([256, 1024])
  for (let i = 0; i < 2; i++) tf.matMul(a, b).dispose()
  const started = performance.now()
  for (let i = 0; i < repeats; i++) {
    const c = tf.matMul(a, b)
    c.dataSync()
    c.dispose()
  }
  const seconds = (performance.now() - started) / 1000 / repeats
  tf.dispose([a, b])
  return (2 * 2048 * 256 * 1024) / seconds / 1e9
}

export const GEN_PROMPT = 32
export const GEN_NEW = 64

/**
 * Generated tokens per second of `prompts` prompts of 32 symbols, 64 new tokens each (no stop),
 * `batch` at a time; greedy (temperature 0) or sampled (temperature 1, all symbols).
 */
export function generateTokensPerS(shape: Shape, batch: number, prompts: number, temperature: number, cache = true): {tokensPerS: number; firstRunTokensPerS: number} {
  const model = Gpt.init(configOf(shape), 2)
  const tokenizer = CharTokenizer.ascii()
  const text = Array.from({length: prompts}, (_, i) => Array.from({length: GEN_PROMPT}, (_, j) => tokenizer.vocab[1 + ((i * 13 + j * 7) % 94)]).join(''))
  const options = {maxTokens: GEN_NEW, temperature, topK: 0, stop: [], batchSize: batch, seed: 1, cache}
  // As the PyTorch anchor (bench/torch_generate.py): one whole run to warm up, then the best of two,
  // on one engine (lrgate serve and eval keep one per model). The first run (JIT, first touch of the
  // key/value cache and buffers) is reported apart.
  const engine = model.inference()
  const rates: number[] = []
  for (let run = 0; run < 3; run++) {
    const started = performance.now()
    const out = generate(engine, tokenizer, text, options)
    rates.push(out.reduce((n, t) => n + t.length, 0) / ((performance.now() - started) / 1000))
  }
  engine.dispose()
  model.dispose()
  return {tokensPerS: Math.max(rates[1], rates[2]), firstRunTokensPerS: rates[0]}
}

/** Scored tokens per second: 256 text records of one context each, `batch` windows per pass. */
export function scoreTokensPerS(shape: Shape, batch: number): number {
  const model = Gpt.init(configOf(shape), 3)
  const tokenizer = CharTokenizer.ascii()
  const records = Array.from({length: 256}, (_, i) => ({id: String(i), cohort: 'x', text: Array.from({length: shape.T}, (_, j) => tokenizer.vocab[1 + ((i * 5 + j * 11) % 94)]).join('')}))
  scoreRecords(model, tokenizer, records.slice(0, 4), batch)
  const started = performance.now()
  const out = scoreRecords(model, tokenizer, records, batch)
  const seconds = (performance.now() - started) / 1000
  model.dispose()
  return out.reduce((n, r) => n + r.tokens, 0) / seconds
}
