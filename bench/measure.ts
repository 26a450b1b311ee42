import * as tf from '@tensorflow/tfjs-core'

import {REFERENCE_SHAPE} from '../src/model/config.js'
import {generate} from '../src/model/generate.js'
import {Gpt, type TokenBatch} from '../src/model/gpt.js'
import {CharTokenizer} from '../src/model/tokenizer.js'
import {clipScale, globalNorm, Optimizer} from '../src/train/optimizer.js'

/** Reference batch of DESIGN.md: 16 sequences of 128 tokens, every target counted. */
export function referenceBatch(B = 16, T = REFERENCE_SHAPE.contextLength): TokenBatch {
  const n = B * T
  const tokens = new Int32Array(n), targets = new Int32Array(n), positions = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    tokens[i] = (i * 31 + 7) % REFERENCE_SHAPE.vocabSize
    targets[i] = (i * 31 + 38) % REFERENCE_SHAPE.vocabSize
    positions[i] = i % T
  }
  return {batch: B, time: T, tokens, positions, targets, weights: new Float32Array(n).fill(1)}
}

/** ms per full fine-tune step (forward, backward, global-norm clip 1.0, AdamW) at the reference shape. */
export function trainStepMs(steps: number, warmup = 1): number {
  const model = Gpt.init(REFERENCE_SHAPE, 1)
  const optimizer = new Optimizer({type: 'adamw', weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0})
  const variables = [...model.params.values()]
  const nameOf = new Map([...model.params].map(([name, v]) => [v.name, name]))
  const batch = referenceBatch()
  let started = 0
  for (let s = 0; s < warmup + steps; s++) {
    if (s === warmup) started = performance.now()
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

/** Generated tokens per second: 32 prompts, 64 new tokens each, greedy. */
export function generateTokensPerS(cache: boolean): number {
  const model = Gpt.init(REFERENCE_SHAPE, 2)
  const tokenizer = CharTokenizer.ascii()
  const prompts = Array.from({length: 32}, (_, i) => `Q: what is item number ${i}?\nA:`)
  const options = {maxTokens: 64, temperature: 0, topK: 0, stop: [], batchSize: 32, seed: 1, cache}
  generate(model, tokenizer, prompts.slice(0, 2), {...options, maxTokens: 4})
  const started = performance.now()
  const out = generate(model, tokenizer, prompts, options)
  const seconds = (performance.now() - started) / 1000
  model.dispose()
  return out.reduce((n, t) => n + t.length, 0) / seconds
}
