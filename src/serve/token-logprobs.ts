import * as tf from '@tensorflow/tfjs-core'

import type {Gpt} from '../model/gpt.js'
import {tokenNll} from '../model/ops/cross-entropy.js'
import type {CharTokenizer} from '../model/tokenizer.js'

/** A text as the model's tokens, each with where it starts in the text. */
export interface TokenizedText {
  ids: Int32Array
  /** Start of each token in the original text, in Unicode code points (Python's `str` indices, as OpenAI's text_offset). */
  offsets: number[]
}

/**
 * Tokenizes `text` one code point at a time so every token knows which character it came from
 * (normalisation may turn one character into several tokens, or none: a carriage return).
 *
 * @example tokenizeWithOffsets(CharTokenizer.ascii(), 'hi') // {ids: [73, 74], offsets: [0, 1]}
 */
export function tokenizeWithOffsets(tokenizer: CharTokenizer, text: string): TokenizedText {
  const ids: number[] = []
  const offsets: number[] = []
  let at = 0
  for (const ch of text) {
    for (const id of tokenizer.encode(ch)) {
      ids.push(id)
      offsets.push(at)
    }
    at += 1
  }
  return {ids: Int32Array.from(ids), offsets}
}

/** Log-probabilities of every token of one sequence given the tokens before it. */
export interface TokenLogprobs {
  /** logprob[t] = log p(ids[t] | ids[<t]) in nats; null for the first token (nothing precedes it). */
  logprobs: Array<number | null>
  /** The `top` most likely tokens at each position (null for the first), best first. */
  top: Array<Array<{id: number; logprob: number}> | null>
}

/**
 * Per-token log-probs of whole sequences, batched. Sequences longer than the context are scored
 * with the same sliding windows (stride T/2) as `scoreRecords` in src/model/score.ts, and each
 * target's log-prob is −tokenNll of the same kernel, so a reference's summed log-prob here equals
 * −nll there (to float rounding). `top` > 0 also gives that many alternatives per position.
 */
export function sequenceLogprobs(model: Gpt, sequences: readonly Int32Array[], options: {top: number; batchSize: number}): TokenLogprobs[] {
  const T = model.config.contextLength
  const stride = Math.max(1, Math.floor(T / 2))
  const out: TokenLogprobs[] = sequences.map((s) => ({logprobs: Array.from(s, () => null), top: Array.from(s, () => null)}))
  const windows: Array<{seq: number; start: number; ids: Int32Array; scoreFrom: number}> = []
  sequences.forEach((seq, s) => {
    for (let a = 0; seq.length > 1; a += stride) {
      // window a predicts targets a+1 … a+T; after the first it owns only its last `stride` targets
      const from = a === 0 ? 1 : a + T - stride + 1
      const to = Math.min(seq.length - 1, a + T)
      if (to >= from) windows.push({seq: s, start: a, ids: seq.subarray(a, to + 1), scoreFrom: from - a})
      if (a + T >= seq.length - 1) break
    }
  })
  for (let i = 0; i < windows.length; i += options.batchSize) {
    const chunk = windows.slice(i, i + options.batchSize)
    const B = chunk.length
    const tokens = new Int32Array(B * T), targets = new Int32Array(B * T), positions = new Int32Array(B * T)
    chunk.forEach((w, b) => {
      for (let t = 0; t < T; t++) {
        positions[b * T + t] = t
        if (t < w.ids.length - 1) {
          tokens[b * T + t] = w.ids[t]
          targets[b * T + t] = w.ids[t + 1]
        }
      }
    })
    const [nll, logits] = tf.tidy(() => {
      const l = model.head(model.hidden({batch: B, time: T, tokens, positions}))
      const n = tokenNll(l, tf.tensor1d(targets, 'int32')).dataSync().slice() as Float32Array
      return [n, options.top > 0 ? (l.dataSync().slice() as Float32Array) : undefined] as const
    })
    const V = model.config.vocabSize
    chunk.forEach((w, b) => {
      // target t+1 of the window is predicted at position t
      for (let t = w.scoreFrom - 1; t < w.ids.length - 1; t++) {
        const target = w.start + t + 1
        out[w.seq].logprobs[target] = -nll[b * T + t]
        if (logits !== undefined) out[w.seq].top[target] = topLogprobs(logits.subarray((b * T + t) * V, (b * T + t + 1) * V), options.top)
      }
    })
  }
  return out
}

/** The k largest log-softmax values of one row of logits, best first. */
function topLogprobs(row: Float32Array, k: number): Array<{id: number; logprob: number}> {
  let max = -Infinity
  for (const v of row) max = Math.max(max, v)
  let sum = 0
  for (const v of row) sum += Math.exp(v - max)
  const logZ = max + Math.log(sum)
  return Array.from(row.keys())
    .sort((a, b) => row[b] - row[a])
    .slice(0, k)
    .map((id) => ({id, logprob: row[id] - logZ}))
}
