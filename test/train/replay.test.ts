import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import type {GptConfig} from '../../src/model/config.js'
import {Gpt} from '../../src/model/gpt.js'
import {buildTokenStream, replayRows, trainingBatch} from '../../src/train/token-stream.js'
import {train} from '../../src/train/trainer.js'
import {ADAMW, TEXT, tokenizer} from '../fixtures/train/tiny.js'

const GENERAL = Array.from({length: 12}, (_, i) => ({id: `g${i}`, cohort: 'general', text: `GENERAL TEXT NUMBER ${i} IN CAPITALS.`}))

describe('replay (rehearsal)', () => {
  before(async () => {
    await initBackend('auto')
  })

  it('a batch holds the configured share of replay rows, seeded and deterministic', () => {
    const target = buildTokenStream(TEXT, tokenizer), general = buildTokenStream(GENERAL, tokenizer)
    const fromGeneral = (row: Int32Array) => /[A-Z]/.test(tokenizer.decode(row))
    for (const [B, share, rows] of [[8, 0.25, 2], [16, 0.25, 4], [4, 0.5, 2], [8, 0, 0], [3, 0.1, 1]] as const) {
      assert.equal(replayRows(B, share), rows)
      const batch = trainingBatch(target, B, 16, 7, 3, {stream: general, share})
      const again = trainingBatch(target, B, 16, 7, 3, {stream: general, share})
      assert.deepEqual(batch, again)
      const upper = Array.from({length: B}, (_, b) => fromGeneral(batch.tokens.subarray(b * 16, (b + 1) * 16)))
      assert.deepEqual(upper, Array.from({length: B}, (_, b) => b >= B - rows), `B ${B} share ${share}`)
      // The target rows are the batch a run without replay would see.
      const plain = trainingBatch(target, B, 16, 7, 3)
      assert.deepEqual(batch.tokens.subarray(0, (B - rows) * 16), plain.tokens.subarray(0, (B - rows) * 16))
    }
    assert.notDeepEqual(trainingBatch(target, 8, 16, 7, 3, {stream: general, share: 0.5}), trainingBatch(target, 8, 16, 7, 4, {stream: general, share: 0.5}))
  })

  it('training with replay records the target and replay losses apart, and their weighted mean is the loss', async () => {
    const config: GptConfig = {vocabSize: 96, contextLength: 16, dModel: 32, nLayers: 1, nHeads: 2, dropout: 0, tiedHead: true}
    const model = Gpt.init(config, 3)
    const records: Array<{loss: number; targetLoss?: number | null; replayLoss?: number | null}> = []
    await train({
      model, train: buildTokenStream(TEXT, tokenizer), replay: {stream: buildTokenStream(GENERAL, tokenizer), share: 0.25}, steps: 5, batchSize: 8,
      schedule: () => 1e-3, optimizer: ADAMW, clipNorm: 1, seed: 1, valEvery: 100, checkpointEvery: 100,
      divergence: {rtol: 2, window: 10, atol: 0.5, patience: 3}, onStep: (s) => records.push(s),
    })
    for (const r of records) {
      assert.ok(Number.isFinite(r.targetLoss) && Number.isFinite(r.replayLoss))
      assert.notEqual(r.targetLoss, r.replayLoss)
      const [lo, hi] = [Math.min(r.targetLoss!, r.replayLoss!), Math.max(r.targetLoss!, r.replayLoss!)]
      assert.ok(r.loss >= lo - 1e-5 && r.loss <= hi + 1e-5, `${r.loss} between ${lo} and ${hi}`)
    }
    model.dispose()
  })
})
