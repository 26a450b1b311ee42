import * as tf from '@tensorflow/tfjs-core'
import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {NativeBackend} from '../../src/compute/native-backend.js'
import {causalSelfAttention} from '../../src/model/ops/attention.js'
import {crossEntropy, tokenNll} from '../../src/model/ops/cross-entropy.js'
import {generate} from '../../src/model/generate.js'
import {Gpt} from '../../src/model/gpt.js'
import {CharTokenizer} from '../../src/model/tokenizer.js'
import {embed} from '../../src/model/ops/embedding.js'
import {gelu} from '../../src/model/ops/gelu.js'
import {layerNorm} from '../../src/model/ops/layer-norm.js'
import {linear} from '../../src/model/ops/linear.js'
import {seededRng} from '../../src/util/rng.js'

type Spec = {shape: number[]; dtype?: 'float32' | 'int32'; values?: number[]}

function randomInputs(specs: Spec[], seed: number): Array<{shape: number[]; dtype: 'float32' | 'int32'; data: Float32Array | Int32Array}> {
  const rng = seededRng(seed)
  return specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1)
    if (s.dtype === 'int32') return {shape: s.shape, dtype: 'int32', data: Int32Array.from(s.values ?? [])}
    return {shape: s.shape, dtype: 'float32', data: Float32Array.from({length: size}, () => rng.normal())}
  })
}

/** Value and gradients (of sum(value * fixed random weights)) of `fn` on a backend. */
function evaluate(backend: string, fn: (...xs: tf.Tensor[]) => tf.Tensor, specs: Spec[], seed: number, differentiable: number[]) {
  tf.setBackend(backend)
  return tf.tidy(() => {
    const inputs = randomInputs(specs, seed).map((i) => tf.tensor(i.data, i.shape, i.dtype))
    const value = fn(...inputs)
    const probe = tf.tensor(Float32Array.from({length: value.size}, (_, i) => Math.sin(i + 1)), value.shape)
    if (differentiable.length === 0) return {value: value.dataSync().slice(), grads: [] as Float32Array[]}
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const all = inputs.map((t, i) => (differentiable.includes(i) ? xs[differentiable.indexOf(i)] : t))
      return tf.sum(tf.mul(fn(...all), probe))
    })(differentiable.map((i) => inputs[i]))
    return {value: value.dataSync().slice(), grads: grads.map((g) => g.dataSync().slice() as Float32Array)}
  })
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 2e-4) {
  assert.equal(actual.length, expected.length, `${what}: length`)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i]
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${what}[${i}]: native ${a} vs cpu ${e}`)
  }
}

function compare(name: string, fn: (...xs: tf.Tensor[]) => tf.Tensor, specs: Spec[], differentiable: number[], seed = 1) {
  const cpu = evaluate('cpu', fn, specs, seed, differentiable)
  const native = evaluate('native', fn, specs, seed, differentiable)
  assertClose(native.value, cpu.value, `${name} value`)
  native.grads.forEach((g, i) => assertClose(g, cpu.grads[i], `${name} grad ${i}`))
}

describe('native kernels match the plain cpu backend', () => {
  before(async () => {
    const info = await initBackend('native')
    assert.equal(info.name, 'native')
    // Outputs start as NaN: a kernel that leaves any element unwritten fails the comparison.
    NativeBackend.poison = true
  })

  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`matMul 2-D transposeA=${ta} transposeB=${tb}`, () => {
      const a = ta ? [13, 7] : [7, 13], b = tb ? [5, 13] : [13, 5]
      compare('matMul', (x, y) => tf.matMul(x, y, ta, tb), [{shape: a}, {shape: b}], [0, 1])
    })
  }

  it('batched matMul with equal batch dims and with a broadcast operand', () => {
    compare('bmm', (x, y) => tf.matMul(x, y), [{shape: [3, 4, 6, 5]}, {shape: [3, 4, 5, 2]}], [0, 1])
    compare('bmm-bcast', (x, y) => tf.matMul(x, y, false, true), [{shape: [2, 3, 6, 5]}, {shape: [4, 5]}], [0])
  })

  it('batched matMul broadcasting batch dims on both sides (value checked by hand)', () => {
    tf.setBackend('native')
    const a = tf.tensor3d([1, 2, 3, 4], [2, 1, 2]) // batch [2] x (1x2)
    const b = tf.tensor4d([1, 0, 0, 1, 2, 0, 0, 2, 3, 0, 0, 3], [3, 1, 2, 2]) // batch [3,1] x (2x2)
    const out = tf.matMul(a, b) // batch [3, 2]
    assert.deepEqual(out.shape, [3, 2, 1, 2])
    assert.deepEqual(Array.from(out.dataSync()), [1, 2, 3, 4, 2, 4, 6, 8, 3, 6, 9, 12])
  })

  it('fused matMul with bias and relu', () => {
    compare('fused', (x, w, bias) => tf.fused.matMul({a: x, b: w, bias, activation: 'relu'}), [{shape: [9, 6]}, {shape: [6, 4]}, {shape: [4]}], [0, 1, 2])
  })

  it('broadcasting add, sub, mul, div', () => {
    compare('add', (x, y) => tf.add(x, y), [{shape: [6, 5]}, {shape: [5]}], [0, 1])
    compare('sub', (x, y) => tf.sub(y, x), [{shape: [6, 5]}, {shape: [5]}], [0, 1])
    compare('mul', (x, y) => tf.mul(x, y), [{shape: [2, 3, 4]}, {shape: [3, 4]}], [0, 1])
    compare('div', (x, y) => tf.div(x, tf.add(tf.abs(y), 1)), [{shape: [4, 3]}, {shape: [4, 3]}], [0, 1])
  })

  it('unsorted segment sum (embedding gradient)', () => {
    const ids = [3, 0, 3, 1, 4, 4, 0]
    compare('gather', (w, idx) => tf.gather(w, idx), [{shape: [6, 5]}, {shape: [7], dtype: 'int32', values: ids}], [0])
  })

  it('linear, layer norm, gelu', () => {
    compare('linear', (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), [{shape: [10, 8]}, {shape: [8, 12]}, {shape: [12]}], [0, 1, 2])
    compare('layerNorm', (x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), [{shape: [7, 16]}, {shape: [16]}, {shape: [16]}], [0, 1, 2])
    compare('gelu', (x) => gelu(x), [{shape: [5, 9]}], [0])
  })

  it('causal self-attention', () => {
    const B = 2, T = 6, H = 2, D = 8
    compare('attention', (qkv) => causalSelfAttention(qkv as tf.Tensor2D, B, T, H), [{shape: [B * T, 3 * D]}], [0])
  })

  it('causal self-attention over several row blocks (T past the kernel\'s block of 64, not a multiple of it)', () => {
    const B = 2, T = 150, H = 2, D = 8
    compare('attention blocks', (qkv) => causalSelfAttention(qkv as tf.Tensor2D, B, T, H), [{shape: [B * T, 3 * D]}], [0])
  })

  it('embedding with explicit positions', () => {
    compare(
      'embed',
      (wte, wpe, tok, pos) => embed(wte as tf.Tensor2D, wpe as tf.Tensor2D, tok as tf.Tensor1D, pos as tf.Tensor1D),
      [{shape: [7, 4]}, {shape: [5, 4]}, {shape: [6], dtype: 'int32', values: [1, 6, 6, 0, 2, 1]}, {shape: [6], dtype: 'int32', values: [0, 1, 2, 0, 1, 4]}],
      [0, 1],
    )
  })

  it('weighted cross-entropy', () => {
    compare(
      'xent',
      (logits, t, w) => crossEntropy(logits as tf.Tensor2D, t as tf.Tensor1D, tf.abs(w) as tf.Tensor1D),
      [{shape: [6, 7]}, {shape: [6], dtype: 'int32', values: [0, 6, 3, 3, 1, 2]}, {shape: [6]}],
      [0],
    )
  })

  it('per-token NLL for scoring', () => {
    const cpu = evaluate('cpu', (l, t) => tokenNll(l as tf.Tensor2D, t as tf.Tensor1D), [{shape: [5, 9]}, {shape: [5], dtype: 'int32', values: [0, 8, 3, 3, 1]}], 1, [])
    const native = evaluate('native', (l, t) => tokenNll(l as tf.Tensor2D, t as tf.Tensor1D), [{shape: [5, 9]}, {shape: [5], dtype: 'int32', values: [0, 8, 3, 3, 1]}], 1, [])
    assertClose(native.value, cpu.value, 'tokenNll')
  })

  it('generation with the native key/value cache matches the composite attention of plain cpu', () => {
    const tokenizer = CharTokenizer.ascii()
    const prompts = ['Q: what is fig?\nA:', 'Hi', 'Q: rye?\nA:']
    const options = {maxTokens: 8, temperature: 0, topK: 0, stop: [], batchSize: 3, seed: 1}
    const outputs = ['cpu', 'native'].map((backend) => {
      tf.setBackend(backend)
      const model = Gpt.init({vocabSize: 96, contextLength: 32, dModel: 16, nLayers: 2, nHeads: 2, dropout: 0, tiedHead: true}, 11)
      const out = generate(model, tokenizer, prompts, options)
      model.dispose()
      return out
    })
    assert.deepEqual(outputs[1], outputs[0])
  })
})
