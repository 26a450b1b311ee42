import * as tf from '@tensorflow/tfjs-core'
import assert from 'node:assert/strict'
import {mkdtempSync, statSync, writeFileSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {InputError} from '../../src/errors.js'
import type {GptConfig} from '../../src/model/config.js'
import {Gpt} from '../../src/model/gpt.js'
import {floatToHalf, halfToFloat} from '../../src/model/half.js'
import {loadAdapted, loadModel, saveModel, saveTuned} from '../../src/model/io.js'
import {adapterShapes, DEFAULT_LORA, initAdapters, interpolateWeights, type LoraSpec} from '../../src/model/lora.js'
import {readModelDir} from '../../src/model/model-files.js'
import {loraLinear, loraLinearComposite} from '../../src/model/ops/lora-linear.js'
import {loadCheckpoint, saveCheckpoint} from '../../src/train/checkpoint.js'
import type {OptimizerState} from '../../src/train/optimizer.js'
import {buildTokenStream} from '../../src/train/token-stream.js'
import {train, type TrainOptions} from '../../src/train/trainer.js'
import {seededRng} from '../../src/util/rng.js'
import {ADAMW, TEXT, tokenizer, weightsOf} from '../fixtures/train/tiny.js'

const TINY: GptConfig = {vocabSize: 96, contextLength: 32, dModel: 32, nLayers: 2, nHeads: 2, dropout: 0, tiedHead: true}
const SPEC: LoraSpec = {rank: 4, alpha: 8, targets: ['attn', 'mlp'], dropout: 0}

function random(shape: number[], rng: ReturnType<typeof seededRng>, std = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1)
  return tf.tensor(Float32Array.from({length: size}, () => rng.normal() * std), shape)
}

/** Adapters with B ≠ 0 (as after training), so merging changes the weights. */
function trainedLikeAdapters(config: GptConfig, spec: LoraSpec, seed: number): Map<string, Float32Array> {
  const rng = seededRng(seed)
  const out = initAdapters(config, spec, seed)
  for (const [name, v] of out) if (name.endsWith('.lora_b')) for (let i = 0; i < v.length; i++) v[i] = rng.normal() * 0.05
  return out
}

const batchOf = (T: number) => ({batch: 2, time: T, tokens: Int32Array.from({length: 2 * T}, (_, i) => (i * 7) % 90), positions: Int32Array.from({length: 2 * T}, (_, i) => i % T)})

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

function options(model: Gpt, overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model, train: buildTokenStream(TEXT, tokenizer), steps: 12, batchSize: 4, schedule: () => 1e-2, optimizer: ADAMW, clipNorm: 1, seed: 3,
    valEvery: 100, checkpointEvery: 4, divergence: {rtol: 2, window: 10, atol: 0.5, patience: 3}, ...overrides,
  }
}

describe('LoRA', () => {
  before(async () => {
    await initBackend('auto')
  })

  it('gradients of the fused LoRA layer equal the composite reference on random shapes', () => {
    const rng = seededRng(11)
    for (const [N, din, dout, r] of [[5, 7, 3, 1], [16, 32, 96, 4], [33, 20, 48, 8], [64, 128, 384, 8]]) {
      tf.tidy(() => {
        const x = random([N, din], rng), w = random([din, dout], rng, 0.2), b = random([dout], rng), a = random([din, r], rng, 0.3), bl = random([r, dout], rng, 0.3)
        const weights = random([N, dout], rng) // a random linear functional of the output
        const scale = 2.5
        const f = (fn: typeof loraLinear) => (xi: tf.Tensor, ai: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(fn(xi as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, ai as tf.Tensor2D, bi as tf.Tensor2D, scale), weights)) as tf.Scalar
        const fused = tf.grads(f(loraLinear))([x, a, bl])
        const reference = tf.grads(f(loraLinearComposite))([x, a, bl])
        const values = {fused: f(loraLinear)(x, a, bl).dataSync()[0], reference: f(loraLinearComposite)(x, a, bl).dataSync()[0]}
        assert.ok(Math.abs(values.fused - values.reference) <= 1e-4 * Math.max(1, Math.abs(values.reference)), `value ${values.fused} vs ${values.reference}`)
        for (let i = 0; i < 3; i++) {
          const ref = reference[i].dataSync(), got = fused[i].dataSync()
          const scaleOf = Math.max(1, ...Array.from(ref, Math.abs))
          assert.ok(maxAbsDiff(got, ref) <= 1e-4 * scaleOf, `shape ${[N, din, dout, r]} input ${i}: ${maxAbsDiff(got, ref)}`)
        }
      })
    }
  })

  it('a merged model gives the unmerged model\'s logits (1e-5), and fresh adapters (B = 0) change nothing', () => {
    const model = Gpt.init(TINY, 2)
    const plain = tf.tidy(() => model.logits(batchOf(16)).dataSync())
    model.attachAdapters(SPEC, initAdapters(TINY, SPEC, 5))
    const fresh = tf.tidy(() => model.logits(batchOf(16)).dataSync())
    assert.deepEqual(Array.from(fresh), Array.from(plain))
    model.dispose()

    const adapted = Gpt.init(TINY, 2)
    adapted.attachAdapters(SPEC, trainedLikeAdapters(TINY, SPEC, 6))
    const unmerged = tf.tidy(() => adapted.logits(batchOf(16)).dataSync())
    const merged = adapted.merged()
    const mergedLogits = tf.tidy(() => merged.logits(batchOf(16)).dataSync())
    assert.ok(maxAbsDiff(unmerged, plain) > 1e-3, 'the adapters change the outputs')
    assert.ok(maxAbsDiff(unmerged, mergedLogits) <= 1e-5, `merged vs unmerged: ${maxAbsDiff(unmerged, mergedLogits)}`)
    adapted.dispose()
    merged.dispose()
  })

  it('training keeps the base bitwise unchanged, updates the adapters, and keeps optimizer state for adapters only', async () => {
    const model = Gpt.init(TINY, 4)
    const before = weightsOf(model)
    model.attachAdapters(SPEC, initAdapters(TINY, SPEC, 4))
    const adaptersBefore = [...model.adapters.values()].map((v) => Array.from(v.dataSync()))
    let state: OptimizerState | null = null
    const losses: number[] = []
    const result = await train(options(model, {steps: 30, onStep: (s) => losses.push(s.loss), onCheckpoint: (_done, opt) => void (state = opt)}))
    assert.equal(result.status, 'completed')
    assert.deepEqual(weightsOf(model), before, 'base weights bitwise unchanged')
    assert.notDeepEqual([...model.adapters.values()].map((v) => Array.from(v.dataSync())), adaptersBefore)
    assert.ok(losses[29] < losses[0] - 0.3, `loss fell: ${losses[0]} → ${losses[29]}`)
    const names = new Set(adapterShapes(TINY, SPEC).map(([n]) => n))
    const s = state as unknown as OptimizerState
    assert.deepEqual(new Set(s.m.keys()), names)
    assert.deepEqual(new Set(s.v.keys()), names)
    model.dispose()
  })

  it('saves the adapters alone (≤ 5% of the model\'s bytes at the reference shape) and a merged folder; both load as the same model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-lora-'))
    const shipped = {...TINY, vocabSize: 96, contextLength: 256, dModel: 128, nLayers: 4, nHeads: 4}
    const base = Gpt.init(shipped, 1)
    await saveModel(join(dir, 'base'), base, tokenizer)
    base.attachAdapters(DEFAULT_LORA, trainedLikeAdapters(shipped, DEFAULT_LORA, 8))
    await saveTuned(join(dir, 'model'), base, tokenizer, {note: 'test'}, {dir: join(dir, 'adapter'), base: join(dir, 'base')})
    const ratio = statSync(join(dir, 'adapter', 'adapter.bin')).size / statSync(join(dir, 'base', 'weights.bin')).size
    assert.ok(ratio <= 0.05, `adapter is ${(100 * ratio).toFixed(2)}% of the model`)

    const unmerged = loadAdapted(join(dir, 'adapter'))
    const fromAdapter = loadModel(join(dir, 'adapter'))
    const fromMerged = loadModel(join(dir, 'model'))
    const logits = (m: Gpt) => tf.tidy(() => m.logits(batchOf(64)).dataSync())
    const reference = logits(unmerged.model)
    assert.ok(maxAbsDiff(reference, logits(fromAdapter.model)) <= 1e-5)
    assert.ok(maxAbsDiff(reference, logits(fromMerged.model)) <= 1e-5)
    assert.ok(maxAbsDiff(reference, logits(base)) <= 1e-5, 'the in-memory adapters were set to the stored values')
    assert.equal((readModelDir(join(dir, 'adapter')).metadata.adapter as {lora: LoraSpec}).lora.rank, 8)
    for (const m of [unmerged, fromAdapter, fromMerged]) m.model.dispose()
    base.dispose()

    // A changed base model is refused by name, not silently adapted.
    const weights = readFileSync(join(dir, 'base', 'weights.bin'))
    weights[100] ^= 1
    writeFileSync(join(dir, 'base', 'weights.bin'), weights)
    assert.throws(() => loadModel(join(dir, 'adapter')), (e: unknown) => e instanceof InputError && /changed since the adapter was trained/.test(e.message))
  })

  it('a LoRA run resumed from its checkpoint ends with exactly the uninterrupted adapters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-lora-ckpt-'))
    const base = Gpt.init(TINY, 7)
    await saveModel(join(dir, 'base'), base, tokenizer)
    base.dispose()
    const fresh = () => {
      const m = loadModel(join(dir, 'base')).model
      m.attachAdapters(SPEC, initAdapters(TINY, SPEC, 7))
      return m
    }
    const straight = fresh()
    await train(options(straight))
    const killed = fresh()
    await assert.rejects(train(options(killed, {
      onCheckpoint: (done, opt) => saveCheckpoint(join(dir, 'ckpt'), killed, tokenizer, opt, done, join(dir, 'base')),
      onStep: (r) => {
        if (r.step === 6) throw new Error('killed')
      },
    })), /killed/)
    killed.dispose()
    const ckpt = loadCheckpoint(join(dir, 'ckpt'))
    assert.equal(ckpt.stepsDone, 4)
    await train(options(ckpt.model, {resume: {step: 4, optimizer: ckpt.optimizer, lossHistory: []}}))
    const adapters = (m: Gpt) => [...m.adapters.values()].map((v) => Array.from(v.dataSync()))
    assert.deepEqual(adapters(ckpt.model), adapters(straight))
    straight.dispose()
    ckpt.model.dispose()
  })

  it('interpolation at α = 0 and α = 1 gives the stored weights themselves', () => {
    const base = new Map([['w', Float32Array.from([1, 2, 3])]])
    const tuned = new Map([['w', Float32Array.from([3, 2, -1])]])
    assert.equal(interpolateWeights(base, tuned, 0).get('w'), base.get('w'))
    assert.equal(interpolateWeights(base, tuned, 1).get('w'), tuned.get('w'))
    assert.deepEqual(Array.from(interpolateWeights(base, tuned, 0.5).get('w')!), [2, 2, 1])
  })

  it('float16 storage round-trips halves exactly and rounds floats to nearest', () => {
    const values = Float32Array.from([0, -0, 1, -2.5, 65504, 1e-7, 6.1e-5, 0.1, 1 / 3, 70000])
    const back = halfToFloat(floatToHalf(values))
    assert.deepEqual(Array.from(back.slice(0, 5)), [0, -0, 1, -2.5, 65504])
    for (let i = 5; i < 9; i++) assert.ok(Math.abs(back[i] - values[i]) <= Math.abs(values[i]) * 2 ** -11 + 2 ** -25, `${values[i]} → ${back[i]}`)
    assert.equal(back[9], Number.POSITIVE_INFINITY)
    assert.deepEqual(Array.from(halfToFloat(floatToHalf(back))), Array.from(back))
  })
})
