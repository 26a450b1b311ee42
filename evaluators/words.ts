/**
 * Word tokens shared by the lexical evaluators (relevance, hallucination), compared as people read
 * the text:
 * 1. Unicode NFKC normalisation (composed and decomposed "café" are one word; full-width "ＡＢＣ" is
 *    "abc"; the "ﬁ" ligature is "fi"), then lower case.
 * 2. Word boundaries from `Intl.Segmenter` (word granularity, Unicode UAX #29 plus ICU's dictionaries),
 *    so scripts written without spaces (Thai, Lao, Khmer, Chinese, Japanese) split into words.
 * 3. Inside each word-like segment, the runs of letters, combining marks and digits are the tokens:
 *    marks stay part of the word (Hindi दिल "heart" and दाल "lentils" differ), punctuation never counts.
 *
 * Latin text tokenises as before: "Don't stop!" → ["don", "t", "stop"].
 *
 * @example wordTokens('The cat, the MAT.') // ['the', 'cat', 'the', 'mat']
 * @example wordTokens('กินข้าว') // ['กิน', 'ข้าว']
 */
export function wordTokens(text: string): string[] {
  const normal = text.normalize('NFKC').toLowerCase()
  // Fast path: ASCII text has no marks and no unspaced scripts; the segmenter would change nothing.
  if (ASCII.test(normal)) return normal.match(RUN) ?? []
  const out: string[] = []
  for (const segment of segmenter().segment(normal)) {
    if (segment.isWordLike !== true) continue
    const runs = segment.segment.match(RUN)
    if (runs !== null) out.push(...runs)
  }
  return out
}

/** The version of this tokenisation rule (1: ASCII-era letter runs; 2: this rule): relevance and hallucination carry it as their evaluator version. */
export const WORD_TOKENS_VERSION = 2

const ASCII = /^[\x00-\x7f]*$/
const RUN = /[\p{L}\p{M}\p{N}]+/gu

let cached: Intl.Segmenter | undefined
function segmenter(): Intl.Segmenter {
  cached ??= new Intl.Segmenter('und', {granularity: 'word'})
  return cached
}
