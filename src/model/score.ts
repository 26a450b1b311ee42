import * as tf from '@tensorflow/tfjs-core'

import type {DatasetRecord} from '../datasets/types.js'
import type {Gpt} from './gpt.js'
import {tokenNll} from './ops/cross-entropy.js'
import {recordText} from './record-text.js'
import type {CharTokenizer} from './tokenizer.js'

export interface RecordNll {
  /** summed negative log-likelihood (nats) of the completion (reference or text) tokens */
  nll: number
  tokens: number
}

interface Window {
  record: number
  /** token ids, length ≤ T + 1 (inputs are [0, T), targets [1, T]) */
  ids: Int32Array
  /** targets from this index on (relative to the window) are scored */
  scoreFrom: number
}

/**
 * Per-record NLL of the completion given the prompt. Sequences longer than the context are
 * scored with sliding windows (stride T/2): every target is scored once, with at least T/2
 * tokens of context after the first window.
 */
export function scoreRecords(model: Gpt, tokenizer: CharTokenizer, records: readonly DatasetRecord[], batchSize = 32, onProgress?: (done: number) => void): RecordNll[] {
  const T = model.config.contextLength
  const stride = Math.max(1, Math.floor(T / 2))
  const windows: Window[] = []
  records.forEach((record, r) => {
    const {prompt, completion} = recordText(record)
    const p = tokenizer.encode(prompt), c = tokenizer.encode(completion)
    const seq = new Int32Array(p.length + c.length)
    seq.set(p)
    seq.set(c, p.length)
    const firstTarget = Math.max(1, p.length)
    for (let a = 0; ; a += stride) {
      // window a predicts targets a+1 … a+T; after the first it owns only its last `stride` targets
      const from = a === 0 ? 1 : a + T - stride + 1
      const to = Math.min(seq.length - 1, a + T)
      if (to >= Math.max(from, firstTarget)) {
        windows.push({record: r, ids: seq.subarray(a, to + 1), scoreFrom: Math.max(from, firstTarget) - a})
      }
      if (a + T >= seq.length - 1) break
    }
  })
  const out: RecordNll[] = records.map(() => ({nll: 0, tokens: 0}))
  for (let i = 0; i < windows.length; i += batchSize) {
    const chunk = windows.slice(i, i + batchSize)
    const B = chunk.length
    const tokens = new Int32Array(B * T), targets = new Int32Array(B * T), positions = new Int32Array(B * T)
    for (let b = 0; b < B; b++) {
      const w = chunk[b]
      for (let t = 0; t < T; t++) {
        positions[b * T + t] = t
        if (t < w.ids.length - 1) {
          tokens[b * T + t] = w.ids[t]
          targets[b * T + t] = w.ids[t + 1]
        }
      }
    }
    const nll = tf.tidy(() => {
      const logits = model.head(model.hidden({batch: B, time: T, tokens, positions}))
      return tokenNll(logits, tf.tensor1d(targets, 'int32')).dataSync().slice()
    })
    for (let b = 0; b < B; b++) {
      const w = chunk[b]
      // target t+1 of the window is predicted at position t
      for (let t = w.scoreFrom - 1; t < w.ids.length - 1; t++) {
        out[w.record].nll += nll[b * T + t]
        out[w.record].tokens += 1
      }
    }
    onProgress?.(Math.min(windows.length, i + batchSize) / windows.length)
  }
  return out
}
