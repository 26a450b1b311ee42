/**
 * Word tokens shared by the lexical evaluators: lower-cased runs of letters and digits.
 * "Don't stop!" → ["don", "t", "stop"]. Punctuation never counts as a word.
 *
 * @example wordTokens('The cat, the MAT.') // ['the', 'cat', 'the', 'mat']
 */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
}
