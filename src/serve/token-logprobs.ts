import {type InferenceModel, type KvDecoder, SEQUENCE_FIELDS} from '../model/inference.js'
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
 * Per-token log-probs of whole sequences, batched, on any inference engine (the native decoder or
 * tfjs, src/model/inference.ts). Sequences longer than the context are scored with the same sliding
 * windows (stride T/2) as `scoreRecords` in src/model/score.ts, and each target's log-prob is
 * −(the NLL of the `rowNll` call scoreRecords makes), so a reference's summed log-prob here equals −nll
 * there to float rounding (~1e-7 relative: scoreRecords lets the engine skip the last layer of a
 * window's context rows, which moves the rows it keeps into other matrix tiles). This call scores
 * every row, so a number here does not depend on which windows share a batch. `top` > 0 also gives that many alternatives per position, from the logits of a KV-cache
 * pass over the same windows (one decoder step per position after a prefill).
 */
export function sequenceLogprobs(model: InferenceModel, sequences: readonly Int32Array[], options: {top: number; batchSize: number}): TokenLogprobs[] {
  const T = model.config.contextLength
  const stride = Math.max(1, Math.floor(T / 2))
  const out: TokenLogprobs[] = sequences.map((s) => ({logprobs: Array.from(s, () => null), top: Array.from(s, () => null)}))
  const windows: Window[] = []
  sequences.forEach((seq, s) => {
    for (let a = 0; seq.length > 1; a += stride) {
      // window a predicts targets a+1 … a+T; after the first it owns only its last `stride` targets
      const from = a === 0 ? 1 : a + T - stride + 1
      const to = Math.min(seq.length - 1, a + T)
      if (to >= from) windows.push({seq: s, start: a, ids: seq.subarray(a, to + 1), scoreFrom: from - a})
      if (a + T >= seq.length - 1) break
    }
  })
  const per = Math.max(1, options.batchSize)
  const tokens = new Int32Array(per * T), targets = new Int32Array(per * T), nll = new Float32Array(per * T)
  const seqs = new Int32Array(per * SEQUENCE_FIELDS)
  const decoder = options.top > 0 && windows.length > 0 ? model.decoder(Math.min(per, windows.length)) : null
  try {
    for (let i = 0; i < windows.length; i += per) {
      const chunk = windows.slice(i, i + per)
      let rows = 0
      chunk.forEach((w, b) => {
        const L = w.ids.length - 1
        tokens.set(w.ids.subarray(0, L), rows)
        targets.set(w.ids.subarray(1), rows)
        seqs.set([rows, L, -1, 0], b * SEQUENCE_FIELDS)
        rows += L
      })
      model.rowNll(tokens, seqs, chunk.length, targets, nll)
      chunk.forEach((w, b) => {
        const row = seqs[b * SEQUENCE_FIELDS]
        // target t+1 of the window is predicted at row t
        for (let t = w.scoreFrom - 1; t < w.ids.length - 1; t++) out[w.seq].logprobs[w.start + t + 1] = -nll[row + t]
      })
      if (decoder) topAlternatives(decoder, model.config.vocabSize, chunk, options.top, out)
    }
  } finally {
    decoder?.dispose()
  }
  return out
}

interface Window {
  seq: number
  start: number
  ids: Int32Array
  /** targets from this index on (relative to the window) are scored */
  scoreFrom: number
}

/**
 * The `top` best next tokens at every scored position of each window: prefill rows [0, scoreFrom)
 * (its last row's logits predict target scoreFrom), then one row per step, each window in its own
 * cache slot; windows drop out as they end.
 */
function topAlternatives(decoder: KvDecoder, V: number, chunk: readonly Window[], top: number, out: TokenLogprobs[]): void {
  const tokens = new Int32Array(chunk.reduce((n, w) => n + w.scoreFrom, 0))
  const seqs = new Int32Array(chunk.length * SEQUENCE_FIELDS)
  const logits = new Float32Array(chunk.length * V)
  let row = 0
  chunk.forEach((w, b) => {
    tokens.set(w.ids.subarray(0, w.scoreFrom), row)
    seqs.set([row, w.scoreFrom, b, 0], b * SEQUENCE_FIELDS)
    row += w.scoreFrom
  })
  decoder.forward(tokens, seqs, chunk.length, logits)
  let active = chunk.map((w, b) => ({w, slot: b, t: w.scoreFrom - 1}))
  active.forEach((a, k) => (out[a.w.seq].top[a.w.start + a.t + 1] = topLogprobs(logits.subarray(k * V, (k + 1) * V), top)))
  // row t of a window (t ≤ its length − 2) predicts target t + 1
  active = active.filter((a) => a.t + 1 < a.w.ids.length - 1)
  while (active.length > 0) {
    const step = new Int32Array(active.length)
    const stepSeqs = new Int32Array(active.length * SEQUENCE_FIELDS)
    active.forEach((a, k) => {
      a.t += 1
      step[k] = a.w.ids[a.t]
      stepSeqs.set([k, 1, a.slot, a.t], k * SEQUENCE_FIELDS)
    })
    decoder.forward(step, stepSeqs, active.length, logits)
    active.forEach((a, k) => (out[a.w.seq].top[a.w.start + a.t + 1] = topLogprobs(logits.subarray(k * V, (k + 1) * V), top)))
    active = active.filter((a) => a.t + 1 < a.w.ids.length - 1)
  }
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
