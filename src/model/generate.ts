
import {activeAddon} from '../compute/backend.js'
import {seededRng, type Rng} from '../util/rng.js'
import {type StepRunner, compositeRunner, nativeRunner} from './generate-step.js'
import type {Gpt} from './gpt.js'
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
 * Batched generation with a key/value cache. Prompts are left-padded to a common length; each
 * sequence keeps its own positions (its prompt starts at position 0) and never attends to padding.
 * Each new token costs one pass over one position per sequence, not over the whole prefix.
 */
export function generate(model: Gpt, tokenizer: CharTokenizer, prompts: readonly string[], options: GenerateOptions, onProgress?: (done: number) => void): string[] {
  const outputs: string[] = new Array(prompts.length)
  // Similar lengths together: less padding per batch.
  const order = prompts.map((p, i) => [tokenizer.encode(p).length, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i)
  const rng = seededRng(options.seed)
  let done = 0
  for (let i = 0; i < order.length; i += options.batchSize) {
    const idx = order.slice(i, i + options.batchSize)
    const texts = generateBatch(model, tokenizer, idx.map((j) => prompts[j]), options, rng)
    idx.forEach((j, k) => (outputs[j] = texts[k]))
    done += idx.length
    onProgress?.(done / prompts.length)
  }
  return outputs
}

function generateBatch(model: Gpt, tokenizer: CharTokenizer, prompts: string[], options: GenerateOptions, rng: Rng): string[] {
  const C = model.config.contextLength
  const B = prompts.length
  // Keep the end of over-long prompts, leaving room for at least one new token.
  const encoded = prompts.map((p) => {
    const ids = tokenizer.encode(p)
    return ids.length > C - 1 ? ids.subarray(ids.length - (C - 1)) : ids
  })
  const promptLen = Math.max(1, ...encoded.map((e) => e.length))
  const maxNew = Math.max(0, Math.min(options.maxTokens, C - promptLen))
  const pads = Int32Array.from(encoded, (e) => promptLen - e.length)
  const seqs: number[][] = encoded.map((e, b) => [...new Array(pads[b]).fill(0), ...e])
  const generated: number[][] = prompts.map(() => [])
  const finished = new Array(B).fill(false)
  const texts = new Array(B).fill('')
  const addon = activeAddon()
  const runner: StepRunner = addon ? nativeRunner(model, addon, B, pads) : compositeRunner(model, B, pads)
  try {
    for (let step = 0; step < maxNew && finished.some((f) => !f); step++) {
      let logits: Float32Array
      if (options.cache === false || step === 0) {
        runner.reset()
        logits = runner.run(seqs, 0)
      } else {
        logits = runner.run(seqs.map((s) => [s[s.length - 1]]), seqs[0].length - 1)
      }
      const V = logits.length / B
      for (let b = 0; b < B; b++) {
        const next = pick(logits.subarray(b * V, (b + 1) * V), options, rng)
        seqs[b].push(next)
        if (finished[b]) continue
        generated[b].push(next)
        texts[b] = tokenizer.decode(generated[b])
        for (const stop of options.stop) {
          const at = stop === '' ? -1 : texts[b].indexOf(stop)
          if (at >= 0) {
            texts[b] = texts[b].slice(0, at)
            finished[b] = true
          }
        }
      }
    }
  } finally {
    runner.dispose()
  }
  return texts
}

/** Greedy, or temperature sampling among the top k. */
function pick(logits: Float32Array, options: GenerateOptions, rng: Rng): number {
  if (options.temperature <= 0) {
    let best = 0
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i
    return best
  }
  let ids = Array.from(logits.keys())
  if (options.topK > 0 && options.topK < ids.length) ids = ids.sort((a, b) => logits[b] - logits[a]).slice(0, options.topK)
  const max = Math.max(...ids.map((i) => logits[i]))
  const weights = ids.map((i) => Math.exp((logits[i] - max) / options.temperature))
  let r = rng.next() * weights.reduce((a, b) => a + b, 0)
  for (let k = 0; k < ids.length; k++) {
    r -= weights[k]
    if (r <= 0) return ids[k]
  }
  return ids[ids.length - 1]
}

