import type {DatasetRecord} from '../datasets/types.js'
import type {TokenBatch} from '../model/gpt.js'
import {recordText} from '../model/record-text.js'
import type {CharTokenizer} from '../model/tokenizer.js'
import {seededRng, deriveSeed} from '../util/rng.js'

/**
 * Training records packed into one circular token stream. `weights[i]` is the loss weight of
 * token i as a prediction target: 0 on prompts, 1 on completions and plain text.
 */
export interface TokenStream {
  tokens: Int32Array
  weights: Float32Array
  /** offsets where records begin: windows start there, so a prompt sits at position 0 */
  starts: Int32Array
}

/** Packs records in the given order; text records end with "\n", the record boundary. */
export function buildTokenStream(records: readonly DatasetRecord[], tokenizer: CharTokenizer): TokenStream {
  const pieces: Array<{tokens: Int32Array; weight: Float32Array}> = []
  let total = 0
  for (const record of records) {
    const {prompt, completion, generative} = recordText(record)
    const head = generative ? tokenizer.encode(prompt) : new Int32Array(0)
    const tail = tokenizer.encode(generative ? completion : `${completion}\n`)
    const tokens = new Int32Array(head.length + tail.length)
    tokens.set(head)
    tokens.set(tail, head.length)
    const weight = new Float32Array(tokens.length)
    weight.fill(1, head.length)
    pieces.push({tokens, weight})
    total += tokens.length
  }
  const stream: TokenStream = {tokens: new Int32Array(total), weights: new Float32Array(total), starts: new Int32Array(pieces.length)}
  let offset = 0
  pieces.forEach((p, i) => {
    stream.starts[i] = offset
    stream.tokens.set(p.tokens, offset)
    stream.weights.set(p.weight, offset)
    offset += p.tokens.length
  })
  return stream
}

/** One window of T+1 tokens starting at `start` (wrapping around the stream's end). */
function fillWindow(stream: TokenStream, start: number, T: number, row: number, batch: TokenBatch): void {
  const n = stream.tokens.length
  for (let t = 0; t < T; t++) {
    const i = (start + t) % n, j = (start + t + 1) % n
    batch.tokens[row * T + t] = stream.tokens[i]
    batch.targets![row * T + t] = stream.tokens[j]
    batch.weights![row * T + t] = stream.weights[j]
    batch.positions[row * T + t] = t
  }
}

function emptyBatch(B: number, T: number): TokenBatch {
  return {batch: B, time: T, tokens: new Int32Array(B * T), positions: new Int32Array(B * T), targets: new Int32Array(B * T), weights: new Float32Array(B * T)}
}

/**
 * The training batch of optimizer step `step`: B windows at random record starts, drawn from a
 * generator seeded by (seed, step) alone, so a resumed run sees exactly the batches it would have.
 */
export function trainingBatch(stream: TokenStream, B: number, T: number, seed: number, step: number, replay?: Replay): TokenBatch {
  const rng = seededRng(deriveSeed(seed, `batch:${step}`))
  const batch = emptyBatch(B, T)
  const rows = replayRows(B, replay?.share ?? 0)
  for (let b = 0; b < B - rows; b++) fillWindow(stream, stream.starts[rng.int(stream.starts.length)], T, b, batch)
  if (replay && rows > 0) {
    // Replay rows come last, from their own generator: the target rows are the same with or without replay.
    const rr = seededRng(deriveSeed(seed, `replay:${step}`))
    for (let b = B - rows; b < B; b++) fillWindow(replay.stream, replay.stream.starts[rr.int(replay.stream.starts.length)], T, b, batch)
  }
  return batch
}

/** Rehearsal: a share of every training batch drawn from general text (the last rows of the batch). */
export interface Replay {
  stream: TokenStream
  /** 0..1: the share of each batch's rows */
  share: number
}

/** Rows of a batch of B that replay fills: round(share·B), at least 1 for a positive share, at most B−1. */
export function replayRows(B: number, share: number): number {
  if (share <= 0) return 0
  return Math.min(B - 1, Math.max(1, Math.round(share * B)))
}

/** Fixed validation batches: consecutive windows over the stream, each starting at a record start. */
export function validationBatches(stream: TokenStream, B: number, T: number, maxBatches: number): TokenBatch[] {
  const windows: number[] = []
  let next = 0
  for (const s of stream.starts) {
    if (s < next) continue
    windows.push(s)
    next = s + T
    if (windows.length >= B * maxBatches) break
  }
  const batches: TokenBatch[] = []
  for (let i = 0; i < windows.length; i += B) {
    const rows = windows.slice(i, i + B)
    const batch = emptyBatch(rows.length, T)
    rows.forEach((start, r) => fillWindow(stream, start, T, r, batch))
    batches.push(batch)
  }
  return batches
}

/** Steps for a number of epochs: passes over the stream's tokens at B×T tokens a step. */
export function stepsForEpochs(stream: TokenStream, epochs: number, B: number, T: number): number {
  return Math.max(1, Math.ceil((epochs * stream.tokens.length) / (B * T)))
}
