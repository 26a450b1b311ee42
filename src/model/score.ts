import type {DatasetRecord} from '../datasets/types.js'
import type {Gpt} from './gpt.js'
import {type InferenceModel, isInferenceModel, SEQUENCE_FIELDS} from './inference.js'
import {recordText} from './record-text.js'
import type {CharTokenizer} from './tokenizer.js'
import {drain, drainYielding} from '../util/cooperative.js'

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
 * tokens of context after the first window. `batchSize` windows go through the model in one
 * forward pass, packed end to end without padding.
 */
export function scoreRecords(model: Gpt | InferenceModel, tokenizer: CharTokenizer, records: readonly DatasetRecord[], batchSize = 32, onProgress?: (done: number) => void): RecordNll[] {
  return drain(scoring(model, tokenizer, records, batchSize, onProgress))
}

/**
 * `scoreRecords`, letting the event loop turn between forward passes (signals are handled during a
 * long evaluation); the same NLLs.
 *
 * @throws Interrupted (util/cooperative) once `signal` aborts
 */
export function scoreRecordsYielding(model: Gpt | InferenceModel, tokenizer: CharTokenizer, records: readonly DatasetRecord[], batchSize = 32, onProgress?: (done: number) => void, signal?: AbortSignal): Promise<RecordNll[]> {
  return drainYielding(scoring(model, tokenizer, records, batchSize, onProgress), signal)
}

function* scoring(model: Gpt | InferenceModel, tokenizer: CharTokenizer, records: readonly DatasetRecord[], batchSize: number, onProgress?: (done: number) => void): Generator<void, RecordNll[], undefined> {
  const engine = isInferenceModel(model) ? model : model.inference()
  try {
    return yield* score(engine, tokenizer, records, batchSize, onProgress)
  } finally {
    if (engine !== model) engine.dispose()
  }
}

function windowsOf(records: readonly DatasetRecord[], tokenizer: CharTokenizer, T: number): Window[] {
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
  return windows
}

// One step per forward pass.
function* score(engine: InferenceModel, tokenizer: CharTokenizer, records: readonly DatasetRecord[], batchSize: number, onProgress?: (done: number) => void): Generator<void, RecordNll[], undefined> {
  const T = engine.config.contextLength
  const windows = windowsOf(records, tokenizer, T)
  const out: RecordNll[] = records.map(() => ({nll: 0, tokens: 0}))
  const per = Math.max(1, batchSize)
  const tokens = new Int32Array(per * T), targets = new Int32Array(per * T), nll = new Float32Array(per * T)
  const seqs = new Int32Array(per * SEQUENCE_FIELDS), from = new Int32Array(per)
  for (let i = 0; i < windows.length; i += per) {
    const count = Math.min(per, windows.length - i)
    let rows = 0
    for (let b = 0; b < count; b++) {
      const {ids} = windows[i + b]
      const L = ids.length - 1
      tokens.set(ids.subarray(0, L), rows)
      targets.set(ids.subarray(1), rows)
      seqs.set([rows, L, -1, 0], b * SEQUENCE_FIELDS)
      from[b] = windows[i + b].scoreFrom - 1
      rows += L
    }
    engine.rowNll(tokens, seqs, count, targets, nll, from)
    for (let b = 0; b < count; b++) {
      const w = windows[i + b]
      const row = seqs[b * SEQUENCE_FIELDS]
      // target t+1 of the window is predicted at row t
      for (let t = w.scoreFrom - 1; t < w.ids.length - 1; t++) {
        out[w.record].nll += nll[row + t]
        out[w.record].tokens += 1
      }
    }
    onProgress?.((i + count) / windows.length)
    yield
  }
  return out
}
