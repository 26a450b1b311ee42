// The native whole-model decoder (native/src/gpt_decoder.cc) against the same model run with
// tfjs ops on the plain cpu backend, and the generation loop's own guarantees.
import * as tf from '@tensorflow/tfjs-core'
import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import type {GptConfig} from '../../src/model/config.js'
import {generate} from '../../src/model/generate.js'
import {Gpt} from '../../src/model/gpt.js'
import {SEQUENCE_FIELDS} from '../../src/model/inference.js'
import {CharTokenizer} from '../../src/model/tokenizer.js'

const tokenizer = CharTokenizer.ascii()
const shape = (tiedHead: boolean): GptConfig => ({vocabSize: 96, contextLength: 24, dModel: 16, nLayers: 2, nHeads: 2, dropout: 0, tiedHead})

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 2e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`)
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: native ${actual[i]} vs cpu ${expected[i]}`)
  }
}

/** Runs `fn` with a freshly initialised model on one backend (same seed, so the same weights). */
function on<T>(backend: string, config: GptConfig, fn: (model: Gpt) => T): T {
  tf.setBackend(backend)
  const model = Gpt.init(config, 11)
  try {
    return fn(model)
  } finally {
    model.dispose()
  }
}

const seqs = (...rows: number[][]) => Int32Array.from(rows.flat())

describe('native decoder matches tfjs ops on the plain cpu backend', () => {
  before(async () => {
    assert.equal((await initBackend('native')).name, 'native')
  })

  for (const tied of [true, false]) {
    it(`decodes packed prompts and single tokens over the cache (${tied ? 'tied' : 'separate'} head)`, () => {
      // Step 1: slot 0 reads a 5-token prompt, slot 2 a 3-token one. Step 2: one token each, and
      // slot 1 starts a 2-token prompt. Step 3: slot 0 restarts (position 0) beside slot 2.
      const steps: Array<{tokens: number[]; seqs: Int32Array}> = [
        {tokens: [40, 41, 42, 43, 44, 50, 51, 52], seqs: seqs([0, 5, 0, 0], [5, 3, 2, 0])},
        {tokens: [60, 61, 62, 63], seqs: seqs([0, 1, 0, 5], [1, 1, 2, 3], [2, 2, 1, 0])},
        {tokens: [70, 71, 72], seqs: seqs([0, 2, 0, 0], [2, 1, 2, 4])},
      ]
      const run = (backend: string) => on(backend, shape(tied), (model) => {
        const engine = model.inference()
        const decoder = engine.decoder(3)
        const out = steps.map(({tokens, seqs: s}) => {
          const n = s.length / SEQUENCE_FIELDS
          const logits = new Float32Array(n * 96)
          decoder.forward(Int32Array.from(tokens), s, n, logits)
          return logits
        })
        decoder.dispose()
        engine.dispose()
        return out
      })
      const cpu = run('cpu'), native = run('native')
      native.forEach((l, i) => assertClose(l, cpu[i], `step ${i + 1} logits`))
    })

    it(`scores packed sequences of different lengths (${tied ? 'tied' : 'separate'} head)`, () => {
      const tokens = Int32Array.from({length: 30}, (_, i) => (i * 7 + 3) % 96)
      const targets = Int32Array.from({length: 30}, (_, i) => (i * 5 + 1) % 96)
      const s = seqs([0, 24, -1, 0], [24, 1, -1, 0], [25, 5, -1, 0])
      const run = (backend: string) => on(backend, shape(tied), (model) => {
        const engine = model.inference()
        const nll = new Float32Array(30)
        engine.rowNll(tokens, s, 3, targets, nll)
        engine.dispose()
        return nll
      })
      assertClose(run('native'), run('cpu'), 'row NLL')
    })

    it(`scores only rows from \`from\` on, as the full pass scores them (${tied ? 'tied' : 'separate'} head)`, () => {
      // Sequences listed out of row order, one scored from its first row and one from its last.
      const tokens = Int32Array.from({length: 40}, (_, i) => (i * 11 + 5) % 96)
      const targets = Int32Array.from({length: 40}, (_, i) => (i * 3 + 2) % 96)
      const s = seqs([16, 24, -1, 0], [0, 10, -1, 0], [10, 6, -1, 0])
      const from = Int32Array.of(12, 0, 5)
      on('native', shape(tied), (model) => {
        const engine = model.inference()
        const all = new Float32Array(40), some = new Float32Array(40).fill(NaN)
        engine.rowNll(tokens, s, 3, targets, all)
        engine.rowNll(tokens, s, 3, targets, some, from)
        engine.dispose()
        const scored = (r: number) => (r >= 16 + 12) || r < 10 || r >= 10 + 5 && r < 16
        for (let r = 0; r < 40; r++) {
          if (scored(r)) assert.ok(Math.abs(some[r] - all[r]) <= 1e-6 * Math.abs(all[r]), `row ${r}: ${some[r]} vs ${all[r]} without from`)
          else assert.equal(some[r], 0, `row ${r} is context only`)
        }
      })
    })
  }

  it('skips whole row blocks on the threaded paths (head size 32, context 160) as the full pass scores', () => {
    const config: GptConfig = {vocabSize: 96, contextLength: 160, dModel: 64, nLayers: 2, nHeads: 2, dropout: 0, tiedHead: true}
    const tokens = Int32Array.from({length: 310}, (_, i) => (i * 13 + 7) % 96)
    const targets = Int32Array.from({length: 310}, (_, i) => (i * 17 + 3) % 96)
    on('native', config, (model) => {
      const engine = model.inference()
      // three sequences (split per sequence), then one alone (split per head)
      for (const [s, from] of [[seqs([0, 150, -1, 0], [150, 140, -1, 0], [290, 20, -1, 0]), Int32Array.of(100, 70, 0)], [seqs([0, 150, -1, 0]), Int32Array.of(130)]] as const) {
        const n = s.length / SEQUENCE_FIELDS
        const all = new Float32Array(310), some = new Float32Array(310).fill(NaN)
        engine.rowNll(tokens, s, n, targets, all)
        engine.rowNll(tokens, s, n, targets, some, from)
        for (let i = 0; i < n; i++) {
          const row = s[i * SEQUENCE_FIELDS], length = s[i * SEQUENCE_FIELDS + 1]
          for (let r = row; r < row + length; r++) {
            if (r >= row + from[i]) assert.ok(Math.abs(some[r] - all[r]) <= 1e-6 * Math.abs(all[r]), `row ${r}: ${some[r]} vs ${all[r]}`)
            else assert.equal(some[r], 0, `row ${r} is context only`)
          }
        }
      }
      engine.dispose()
    })
  })

  it('reads prompts with their references in one cached pass: logits at the picked rows and NLLs from them on', () => {
    const config: GptConfig = {vocabSize: 96, contextLength: 160, dModel: 64, nLayers: 2, nHeads: 2, dropout: 0, tiedHead: false}
    const tokens = Int32Array.from({length: 200}, (_, i) => (i * 29 + 1) % 96)
    const targets = Int32Array.from({length: 200}, (_, i) => (i * 7 + 5) % 96)
    // slot 1: rows [0, 120), picked at 80; slot 0: rows [120, 200), picked at 130
    const s = seqs([0, 120, 1, 0], [120, 80, 0, 0])
    const pick = Int32Array.of(80, 130)
    on('native', config, (model) => {
      const engine = model.inference()
      const decoder = engine.decoder(2)
      const logits = new Float32Array(2 * 96), nll = new Float32Array(200)
      decoder.forwardNll!(tokens, s, 2, pick, logits, targets, nll)
      // the same rows read up to each pick: the logits of the picked row
      const upTo = new Float32Array(2 * 96)
      decoder.forward(Int32Array.of(...tokens.subarray(0, 81), ...tokens.subarray(120, 131)), seqs([0, 81, 1, 0], [81, 11, 0, 0]), 2, upTo)
      assertClose(logits, upTo, 'picked logits', 1e-5)
      // and the NLLs from each pick on, as scoring without a cache gives them
      const plain = new Float32Array(200)
      engine.rowNll(tokens, seqs([0, 120, -1, 0], [120, 80, -1, 0]), 2, targets, plain)
      for (const [from, to] of [[80, 120], [130, 200]]) assertClose(nll.subarray(from, to), plain.subarray(from, to), `NLL rows ${from}-${to}`, 1e-5)
      decoder.dispose()
      engine.dispose()
    })
  })

  it('refuses sequences past the context, unknown or shared slots, shared rows and token ids out of range', () => {
    on('native', shape(true), (model) => {
      const engine = model.inference()
      const decoder = engine.decoder(2)
      const logits = new Float32Array(2 * 96)
      assert.throws(() => decoder.forward(new Int32Array(3), seqs([0, 3, 0, 22]), 1, logits), /past the context/)
      assert.throws(() => decoder.forward(new Int32Array(1), seqs([0, 1, 2, 0]), 1, logits), /slot out of range/)
      assert.throws(() => decoder.forward(Int32Array.of(96), seqs([0, 1, 0, 0]), 1, logits), /token id out of range/)
      assert.throws(() => decoder.forward(new Int32Array(2), seqs([0, 2, 0, 0], [1, 1, 1, 0]), 2, logits), /share rows/)
      assert.throws(() => decoder.forward(new Int32Array(2), seqs([0, 1, 1, 0], [1, 1, 1, 0]), 2, logits), /one cache slot/)
      assert.throws(() => engine.rowNll(new Int32Array(2), seqs([0, 2, -1, 0]), 1, Int32Array.of(1, -1), new Float32Array(2)), /target id out of range/)
      assert.throws(() => engine.rowNll(new Int32Array(2), seqs([0, 2, -1, 0]), 1, new Int32Array(2), new Float32Array(2), Int32Array.of(2)), /from outside its sequence/)
      decoder.dispose()
      engine.dispose()
      assert.throws(() => engine.rowNll(new Int32Array(1), seqs([0, 1, -1, 0]), 1, new Int32Array(1), new Float32Array(1)), /after dispose/)
    })
  })
})

describe('generation loop', () => {
  const prompts = ['Q: what is fig?\nA:', 'Hi', 'Q: rye?\nA:', 'Q: a longer question about bread and butter?\nA:', '']

  it('gives the same greedy text with and without the cache, at every batch size', () => {
    on('native', shape(true), (model) => {
      const options = {maxTokens: 10, temperature: 0, topK: 0, stop: [], seed: 1}
      const reference = generate(model, tokenizer, prompts, {...options, batchSize: 2, cache: false})
      assert.ok(reference.every((t, i) => t.length === Math.min(10, 24 - Math.max(1, Math.min(23, tokenizer.encode(prompts[i]).length)))))
      for (const batchSize of [1, 2, 5, 64]) assert.deepEqual(generate(model, tokenizer, prompts, {...options, batchSize}), reference, `batch ${batchSize}`)
    })
  })

  it('one engine reuses its key/value cache across generations (larger, then smaller batches) and gives the same text', () => {
    on('native', shape(true), (model) => {
      const options = {maxTokens: 10, temperature: 0, topK: 0, stop: [], seed: 1}
      const reference = generate(model, tokenizer, prompts, {...options, batchSize: 2, cache: false})
      const engine = model.inference()
      try {
        // every call after the first runs on the cache the previous one left, stale keys and values included
        for (const batchSize of [5, 5, 2, 1, 64, 3]) assert.deepEqual(generate(engine, tokenizer, [...prompts].reverse(), {...options, batchSize}), [...reference].reverse(), `batch ${batchSize}`)
      } finally {
        engine.dispose()
      }
    })
  })

  it('samples the same text whatever the batch size (one generator per prompt), and another with another seed', () => {
    on('native', shape(true), (model) => {
      const options = {maxTokens: 12, temperature: 1.5, topK: 20, stop: [], seed: 7}
      const one = generate(model, tokenizer, prompts, {...options, batchSize: 1})
      assert.deepEqual(generate(model, tokenizer, prompts, {...options, batchSize: 3}), one)
      assert.notDeepEqual(generate(model, tokenizer, prompts, {...options, batchSize: 3, seed: 8}), one)
    })
  })

  it('cuts at the first listed stop string the text ends with', () => {
    on('native', shape(true), (model) => {
      const options = {maxTokens: 12, temperature: 0, topK: 0, stop: [], batchSize: 4, seed: 1}
      const free = generate(model, tokenizer, prompts.slice(0, 1), options)[0]
      assert.ok(free.length >= 4, `want a few characters to cut, got ${JSON.stringify(free)}`)
      const two = free.slice(2, 4), last = free[3]
      // both end at index 4; the first listed wins (as the text search did)
      assert.equal(generate(model, tokenizer, prompts.slice(0, 1), {...options, stop: [two, last]})[0], free.slice(0, free.indexOf(two)))
      assert.equal(generate(model, tokenizer, prompts.slice(0, 1), {...options, stop: [last, two]})[0], free.slice(0, free.indexOf(last)))
    })
  })
})
