import type {EvaluatorFactory} from './types.js'
import {WORD_TOKENS_VERSION, wordTokens} from './words.js'

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
 * P = LCS/|candidate|, R = LCS/|reference|, F1 = 2PR/(P+R) = 2·LCS/(|candidate|+|reference|), computed
 * in that last form (one division, so exact fractions such as 2/10 come out exact). Tokens are
 * wordTokens' (Unicode-normalised, marks kept, unspaced scripts segmented). Two empty texts score 1,
 * one empty 0.
 *
 * @example rougeL('the cat lay on the mat', 'the cat sat on the mat') // 5/6
 */
export function rougeL(candidate: string, reference: string): number {
  const c = wordTokens(candidate)
  const r = wordTokens(reference)
  if (c.length === 0 && r.length === 0) return 1
  if (c.length === 0 || r.length === 0) return 0
  // 2PR/(P+R) with P = lcs/|c|, R = lcs/|r| is exactly 2·lcs/(|c|+|r|): one rounding instead of five,
  // so "bread" against a 9-word reference is 2/10 = 0.2, not 0.19999999999999998.
  return (2 * lcsLength(c, r)) / (c.length + r.length)
}

/** `relevance`: ROUGE-L F1 of the output against the reference (0..1, higher is better). */
export const relevance: EvaluatorFactory = (options) => ({
  name: 'relevance',
  description: 'ROUGE-L F1 of output vs reference over lower-cased word tokens',
  version: String(WORD_TOKENS_VERSION),
  needs: ['input', 'reference', 'output'],
  direction: 'higher',
  threshold: options.threshold,
  aggregation: 'mean',
  score: (record) => rougeL(record.output ?? '', record.reference ?? ''),
})
