import * as tf from '@tensorflow/tfjs-core'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import type {DatasetRecord} from '../../src/datasets/types.js'
import {InputError} from '../../src/errors.js'
import type {GptConfig} from '../../src/model/config.js'
import {generate} from '../../src/model/generate.js'
import {Gpt} from '../../src/model/gpt.js'
import {loadModel, saveModel} from '../../src/model/io.js'
import {scoreRecords} from '../../src/model/score.js'
import {CharTokenizer} from '../../src/model/tokenizer.js'

const TINY: GptConfig = {vocabSize: 96, contextLength: 32, dModel: 16, nLayers: 2, nHeads: 2, dropout: 0, tiedHead: true}
const tokenizer = CharTokenizer.ascii()

describe('model', () => {
  before(async () => {
    await initBackend('auto')
  })

  it('tokenizer round-trips ASCII and folds accents and unknown symbols', () => {
    assert.equal(tokenizer.size, 96)
    assert.equal(tokenizer.decode(tokenizer.encode('Q: what is a baguette?\nA:')), 'Q: what is a baguette?\nA:')
    assert.equal(tokenizer.decode(tokenizer.encode('café\tau lait ☕')), 'cafe au lait ?')
  })

  it('save → load gives identical logits', async () => {
    const model = Gpt.init(TINY, 3)
    const dir = join(mkdtempSync(join(tmpdir(), 'lrgate-model-')), 'm')
    await saveModel(dir, model, tokenizer, {note: 'test'})
    const loaded = loadModel(dir)
    const batch = {batch: 2, time: 8, tokens: Int32Array.from({length: 16}, (_, i) => (i * 5) % 96), positions: Int32Array.from({length: 16}, (_, i) => i % 8)}
    const a = model.logits(batch).dataSync()
    const b = loaded.model.logits(batch).dataSync()
    assert.deepEqual(Array.from(b), Array.from(a))
    assert.deepEqual(loaded.metadata, {note: 'test'})
    model.dispose()
    loaded.model.dispose()
  })

  it('refuses a truncated weights file, a missing one and a folder that is no model', async () => {
    const model = Gpt.init(TINY, 3)
    const dir = join(mkdtempSync(join(tmpdir(), 'lrgate-model-')), 'm')
    await saveModel(dir, model, tokenizer)
    model.dispose()
    truncateSync(join(dir, 'weights.bin'), 100)
    assert.throws(() => loadModel(dir), (e: unknown) => e instanceof InputError && /weights\.bin: sha256 does not match checksums\.json/.test(e.message))
    // A folder another tool wrote (no checksums.json) still has its size and shapes checked.
    rmSync(join(dir, 'checksums.json'))
    assert.throws(() => loadModel(dir), (e: unknown) => e instanceof InputError && /weights\.bin: 100 bytes but model\.json describes \d+/.test(e.message))
    writeFileSync(join(dir, 'config.json'), '{"vocabSize": "x"}')
    assert.throws(() => loadModel(dir), (e: unknown) => e instanceof InputError && /config\.json: field "vocabSize"/.test(e.message))
    assert.throws(() => loadModel(tmpdir()), (e: unknown) => e instanceof InputError && /not an lrgate model directory \(model\.json is missing\)/.test(e.message))
  })

  it('KV-cache generation gives exactly the tokens of uncached generation', () => {
    const model = Gpt.init(TINY, 11)
    const prompts = ['Q: what is fig?\nA:', 'Hi', 'Q: rye?\nA:', 'x']
    const options = {maxTokens: 10, temperature: 0, topK: 0, stop: [], batchSize: 3, seed: 1}
    const cached = generate(model, tokenizer, prompts, {...options, cache: true})
    const uncached = generate(model, tokenizer, prompts, {...options, cache: false})
    assert.deepEqual(cached, uncached)
    assert.ok(cached.every((t) => t.length === 10), 'untrained model generates max tokens with no stop')
    // sampling is seeded: same seed, same text
    const sampled = {...options, temperature: 1, topK: 5, seed: 42}
    assert.deepEqual(generate(model, tokenizer, prompts, sampled), generate(model, tokenizer, prompts, sampled))
    model.dispose()
  })

  it('generation stops at a stop sequence and never leaks tensors', () => {
    const model = Gpt.init(TINY, 5)
    const before = tf.memory().numTensors
    const [free] = generate(model, tokenizer, ['abc'], {maxTokens: 12, temperature: 0, topK: 0, stop: [], batchSize: 4, seed: 1})
    const stopAt = free[3]
    const [stopped] = generate(model, tokenizer, ['abc'], {maxTokens: 12, temperature: 0, topK: 0, stop: [stopAt], batchSize: 4, seed: 1})
    assert.equal(stopped, free.slice(0, free.indexOf(stopAt)))
    assert.equal(tf.memory().numTensors, before)
    model.dispose()
  })

  it('scores the completion only, and long texts with sliding windows', () => {
    const model = Gpt.init(TINY, 7)
    const qa: DatasetRecord = {id: 'a', cohort: 'c', input: 'Q: what is rye?\nA:', reference: 'a grain'}
    const long: DatasetRecord = {id: 'b', cohort: 'c', text: 'the quick brown fox jumps over the lazy dog '.repeat(3)}
    const [s1, s2] = scoreRecords(model, tokenizer, [qa, long])
    assert.equal(s1.tokens, ' a grain\n'.length)
    assert.equal(s2.tokens, long.text!.length)
    // An untrained model is near uniform over 96 symbols: about ln(96) nats a token.
    assert.ok(Math.abs(s1.nll / s1.tokens - Math.log(96)) < 0.3, `per-token nll ${s1.nll / s1.tokens}`)
    // Same answer scored alone and in a batch with others.
    const [alone] = scoreRecords(model, tokenizer, [qa])
    assert.ok(Math.abs(alone.nll - s1.nll) < 1e-3)
    model.dispose()
  })
})
