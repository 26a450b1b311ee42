import type {EvaluatorFactory} from './types.js'
import {wordTokens} from './words.js'

/**
 * Length of the longest common subsequence of two token lists (dynamic programming, two rows).
 *
 * @example lcsLength(['a', 'b', 'c'], ['a', 'c']) // 2
 */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Uint32Array(b.length + 1)
  let row = new Uint32Array(b.length + 1)
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      row[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1])
    }
    ;[prev, row] = [row, prev]
  }
  return prev[b.length]
}

/**
 * ROUGE-L F1 (β = 1) of a candidate against a reference over lower-cased word tokens:
 * P = LCS/|candidate|, R = LCS/|reference|, F1 = 2PR/(P+R). Two empty texts score 1, one empty 0.
 *
 * @example rougeL('the cat lay on the mat', 'the cat sat on the mat') // 5/6
 */
export function rougeL(candidate: string, reference: string): number {
  const c = wordTokens(candidate)
  const r = wordTokens(reference)
  if (c.length === 0 && r.length === 0) return 1
  if (c.length === 0 || r.length === 0) return 0
  const lcs = lcsLength(c, r)
  if (lcs === 0) return 0
  const precision = lcs / c.length
  const recall = lcs / r.length
  return (2 * precision * recall) / (precision + recall)
}

/** `relevance`: ROUGE-L F1 of the output against the reference (0..1, higher is better). */
export const relevance: EvaluatorFactory = (options) => ({
  name: 'relevance',
  description: 'ROUGE-L F1 of output vs reference over lower-cased word tokens',
  needs: ['input', 'reference', 'output'],
  direction: 'higher',
  threshold: options.threshold,
  aggregation: 'mean',
  score: (record) => rougeL(record.output ?? '', record.reference ?? ''),
})
