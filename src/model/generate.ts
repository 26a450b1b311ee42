import {drain, drainYielding} from '../util/cooperative.js'
import {deriveSeed, seededRng, type Rng} from '../util/rng.js'
import type {Gpt} from './gpt.js'
import {type InferenceModel, isInferenceModel, SEQUENCE_FIELDS} from './inference.js'
import type {RecordNll} from './score.js'
import type {CharTokenizer} from './tokenizer.js'

export interface GenerateOptions {
  maxTokens: number
  /** 0 = greedy */
  temperature: number
  /** 0 = no top-k filter */
  topK: number
  /** generation of a sequence ends at the first of these (not included in the output) */
  stop: string[]
  batchSize: number
  seed: number
  /** false recomputes the whole prefix for every token (slow; the reference the cache must match) */
  cache?: boolean
}

/**
 * Continuous batched generation over a key/value cache with `batchSize` slots. Each prompt keeps
 * its own positions (its first token at 0); a sequence leaves the batch as soon as it meets a stop
 * string or its token budget, and the next prompt takes its slot, so every forward pass carries
 * only live sequences: new prompts read in whole, the others one token each.
 *
 * Prompts longer than the context keep their end (room for at least one new token); a sequence
 * generates at most min(maxTokens, context − prompt length) tokens. Sampling (temperature > 0)
 * draws from one generator per prompt, seeded from `seed` and the prompt's index, so outputs do
 * not depend on the batch size or on which prompts share a batch.
 */
export function generate(model: Gpt | InferenceModel, tokenizer: CharTokenizer, prompts: readonly string[], options: GenerateOptions, onProgress?: (done: number) => void): string[] {
  return drain(generation(model, tokenizer, prompts, options, onProgress)).outputs
}

/**
 * `generate`, letting the event loop turn between forward passes (so SIGTERM and Ctrl-C are handled
 * during a long evaluation); the same outputs.
 *
 * @throws Interrupted (util/cooperative) once `signal` aborts
 */
export function generateYielding(model: Gpt | InferenceModel, tokenizer: CharTokenizer, prompts: readonly string[], options: GenerateOptions, onProgress?: (done: number) => void, signal?: AbortSignal): Promise<string[]> {
  return drainYielding(generation(model, tokenizer, prompts, options, onProgress), signal).then((r) => r.outputs)
}

/** Generations, and where one pass could score it, each prompt's completion NLL (else null). */
export interface GeneratedAndScored {
  outputs: string[]
  /** per prompt: the NLL of its completion given the prompt, as scoreRecords gives it; null where not scored */
  nll: Array<RecordNll | null>
}

/**
 * `generateYielding`, and the NLL of `completions[i]` after `prompts[i]` from the same pass that reads
 * the prompt: the prompt and the completion (but its last token) go through the model once, the
 * completion's rows are scored, and generation starts from the logits of the prompt's last row (the
 * cache keeps the prompt; the completion's positions are overwritten by generated tokens). It saves
 * reading every prompt twice. A prompt is scored here only when the engine can (the native decoder)
 * and prompt + completion fit in one context window (as scoreRecords scores it); the others get null
 * and are left to scoreRecords. Generations are those of `generate`; NLLs equal scoreRecords' up to
 * float summation order (test/model/eval-pin.test.ts).
 *
 * @throws Interrupted (util/cooperative) once `signal` aborts
 */
export function generateAndScoreYielding(model: Gpt | InferenceModel, tokenizer: CharTokenizer, prompts: readonly string[], completions: readonly string[], options: GenerateOptions, onProgress?: (done: number) => void, signal?: AbortSignal): Promise<GeneratedAndScored> {
  if (completions.length !== prompts.length) throw new Error(`generateAndScore: ${prompts.length} prompts but ${completions.length} completions`)
  return drainYielding(generation(model, tokenizer, prompts, options, onProgress, completions), signal)
}

function* generation(model: Gpt | InferenceModel, tokenizer: CharTokenizer, prompts: readonly string[], options: GenerateOptions, onProgress?: (done: number) => void, completions?: readonly string[]): Generator<void, GeneratedAndScored, undefined> {
  const engine = isInferenceModel(model) ? model : model.inference()
  try {
    return yield* run(engine, tokenizer, prompts, options, onProgress, completions)
  } finally {
    if (engine !== model) engine.dispose()
  }
}

// One step per forward pass.
function* run(engine: InferenceModel, tokenizer: CharTokenizer, prompts: readonly string[], options: GenerateOptions, onProgress?: (done: number) => void, completions?: readonly string[]): Generator<void, GeneratedAndScored, undefined> {
  const {contextLength: C, vocabSize: V} = engine.config
  const n = prompts.length
  const outputs: string[] = new Array(n).fill('')
  const scored: Array<RecordNll | null> = new Array(n).fill(null)
  if (n === 0) return {outputs, nll: scored}
  const B = Math.max(1, Math.min(options.batchSize, n))
  const cached = options.cache !== false
  const stops = options.stop.filter((s) => s !== '')
  const symbols = tokenizer.vocab

  // Per slot: the record it holds (-1 free), its tokens (prompt, then generated), their count,
  // the prompt's length, the token budget, whether the cache has yet to read the prompt.
  const record = new Int32Array(B).fill(-1)
  const history = new Int32Array(B * C)
  const length = new Int32Array(B), promptLength = new Int32Array(B), budget = new Int32Array(B)
  const fresh = new Uint8Array(B)
  const rngs: Array<Rng | null> = new Array(B).fill(null)
  // Buffers of one forward pass, reused: at most every slot reading a whole context.
  const tokens = new Int32Array(B * C), seqs = new Int32Array(B * SEQUENCE_FIELDS), logits = new Float32Array(B * V)
  const sampler = new Sampler(V)

  const decoder = engine.decoder(B)
  // Scoring in the generation pass: per slot, the completion to read in with its prompt (or null).
  const scoring = completions !== undefined && cached && decoder.forwardNll !== undefined
  const forced: Array<Int32Array | null> = new Array(B).fill(null)
  const pick = new Int32Array(B), targets = new Int32Array(scoring ? B * C : 0), nll = new Float32Array(scoring ? B * C : 0)
  let next = 0, done = 0, reported = -1
  const finish = (slot: number, keep: number) => {
    outputs[record[slot]] = tokenizer.decode(history.subarray(slot * C + promptLength[slot], slot * C + promptLength[slot] + keep))
    record[slot] = -1
    done++
    const percent = Math.floor((100 * done) / n)
    if (percent !== reported) {
      reported = percent
      onProgress?.(done / n)
    }
  }
  try {
    for (;;) {
      // Free slots take the next prompts.
      for (let slot = 0; slot < B && next < n; slot++) {
        while (record[slot] === -1 && next < n) {
          const r = next++
          let ids = tokenizer.encode(prompts[r])
          forced[slot] = null
          if (scoring) {
            // one window, as scoreRecords: prompt + completion minus its last token within the context
            const c = tokenizer.encode(completions![r])
            if (ids.length >= 1 && ids.length <= C - 1 && c.length >= 1 && ids.length + c.length - 1 <= C) forced[slot] = c
          }
          if (ids.length > C - 1) ids = ids.subarray(ids.length - (C - 1))
          if (ids.length === 0) ids = Int32Array.of(0) // nothing to condition on: start from symbol 0
          record[slot] = r
          history.set(ids, slot * C)
          length[slot] = promptLength[slot] = ids.length
          budget[slot] = Math.min(options.maxTokens, C - ids.length)
          fresh[slot] = 1
          rngs[slot] = options.temperature > 0 ? seededRng(deriveSeed(options.seed, `generate:${r}`)) : null
          if (budget[slot] <= 0) finish(slot, 0)
        }
      }
      // One forward pass over every live slot.
      let rows = 0, nseq = 0, withScoring = false
      for (let slot = 0; slot < B; slot++) {
        if (record[slot] === -1) continue
        const whole = fresh[slot] === 1 || !cached
        const from = whole ? 0 : length[slot] - 1
        let count = length[slot] - from
        tokens.set(history.subarray(slot * C + from, slot * C + length[slot]), rows)
        pick[nseq] = rows + count - 1
        const c = fresh[slot] === 1 ? forced[slot] : null
        if (c !== null) {
          // the prompt's rows, then the completion's but its last; row p - 1 on predicts the completion
          tokens.set(c.subarray(0, c.length - 1), rows + count)
          targets.fill(0, rows, rows + count - 1)
          targets.set(c, rows + count - 1)
          count += c.length - 1
          withScoring = true
        } else if (scoring) targets.fill(0, rows, rows + count)
        seqs[nseq * SEQUENCE_FIELDS] = rows
        seqs[nseq * SEQUENCE_FIELDS + 1] = count
        seqs[nseq * SEQUENCE_FIELDS + 2] = slot
        seqs[nseq * SEQUENCE_FIELDS + 3] = from
        rows += count
        nseq++
        fresh[slot] = 0
      }
      if (nseq === 0) break
      if (withScoring) decoder.forwardNll!(tokens, seqs, nseq, pick, logits, targets, nll)
      else decoder.forward(tokens, seqs, nseq, logits)
      for (let i = 0; i < nseq; i++) {
        const slot = seqs[i * SEQUENCE_FIELDS + 2]
        const c = forced[slot]
        if (c !== null) {
          // summed in target order, as scoreRecords sums a window
          let sum = 0
          for (let t = 0, row = pick[i]; t < c.length; t++) sum += nll[row + t]
          scored[record[slot]] = {nll: sum, tokens: c.length}
          forced[slot] = null
        }
        const id = sampler.pick(logits.subarray(i * V, (i + 1) * V), options, rngs[slot])
        const base = slot * C
        history[base + length[slot]++] = id
        const generated = length[slot] - promptLength[slot]
        // The first stop (in list order) that the text now ends with cuts it there.
        let cut = -1
        for (const stop of stops) {
          if (stop.length > generated) continue
          let match = true
          for (let k = 0, at = base + length[slot] - stop.length; k < stop.length && match; k++) match = symbols[history[at + k]] === stop[k]
          if (match) {
            cut = generated - stop.length
            break
          }
        }
        if (cut >= 0) finish(slot, cut)
        else if (generated >= budget[slot]) finish(slot, generated)
      }
      yield
    }
  } finally {
    decoder.dispose()
  }
  return {outputs, nll: scored}
}

/** Greedy, or temperature sampling among the top k; buffers allocated once per generation. */
class Sampler {
  private readonly ids: Int32Array
  private readonly weights: Float64Array

  constructor(vocab: number) {
    this.ids = new Int32Array(vocab)
    this.weights = new Float64Array(vocab)
  }

  pick(logits: Float32Array, options: GenerateOptions, rng: Rng | null): number {
    const V = logits.length
    if (options.temperature <= 0 || rng === null) {
      let best = 0
      for (let i = 1; i < V; i++) if (logits[i] > logits[best]) best = i
      return best
    }
    const {ids, weights} = this
    // Candidates in descending logit order (ties: lower id first), or all ids in order.
    let count = V
    if (options.topK > 0 && options.topK < V) {
      count = 0
      for (let i = 0; i < V; i++) {
        if (count === options.topK && !(logits[i] > logits[ids[count - 1]])) continue
        let at = count < options.topK ? count++ : count - 1
        while (at > 0 && logits[i] > logits[ids[at - 1]]) {
          ids[at] = ids[at - 1]
          at--
        }
        ids[at] = i
      }
    } else {
      for (let i = 0; i < V; i++) ids[i] = i
    }
    let max = -Infinity
    for (let k = 0; k < count; k++) max = Math.max(max, logits[ids[k]])
    let total = 0
    for (let k = 0; k < count; k++) {
      weights[k] = Math.exp((logits[ids[k]] - max) / options.temperature)
      total += weights[k]
    }
    let r = rng.next() * total
    for (let k = 0; k < count; k++) {
      r -= weights[k]
      if (r <= 0) return ids[k]
    }
    return ids[count - 1]
  }
}
