import type {CompletionLogprobs} from './response-schema.js'

/** Token-level log-probs of an echoed text, checked to cover the text. */
export type Coverage = {ok: true; tokens: Array<{start: number; end: number; logprob: number | null}>} | {ok: false; reason: string}

/** Length in Unicode code points: what OpenAI-style `text_offset` counts (Python `str` indices). */
export function codePoints(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

/**
 * Checks that the log-probs a server returned for `echo: true` cover `text` (the prompt it was
 * sent): log-probs, tokens and text offsets are present and aligned, offsets start at 0 and never
 * go back, the tokens starting inside the text reach its end, and every one of them after the
 * first has a finite log-prob. Tokens starting at or after the text's end (a generated token from
 * servers that need max_tokens ≥ 1) are dropped. The reason says what the server did instead.
 */
export function checkCoverage(text: string, logprobs: CompletionLogprobs | null | undefined): Coverage {
  const length = codePoints(text)
  if (logprobs == null) return {ok: false, reason: 'it returned no log-probs at all ("logprobs": null or missing)'}
  const {tokens, token_logprobs: values, text_offset: offsets} = logprobs
  if (values == null || tokens == null || offsets == null) {
    return {ok: false, reason: 'its log-probs lack the completions fields tokens, token_logprobs and text_offset'}
  }
  if (values.length !== tokens.length || offsets.length !== tokens.length) {
    return {ok: false, reason: `its log-prob arrays differ in length (${tokens.length} tokens, ${values.length} log-probs, ${offsets.length} offsets)`}
  }
  const inside = offsets.filter((o) => o < length).length
  if (inside === 0 || offsets[0] !== 0) {
    return {ok: false, reason: `it returned log-probs for generated tokens only (${tokens.length} token(s), none starting at the prompt's first character)`}
  }
  const out: Array<{start: number; end: number; logprob: number | null}> = []
  for (let i = 0; i < inside; i++) {
    if (i > 0 && offsets[i] < offsets[i - 1]) return {ok: false, reason: `its text offsets go backwards at token ${i}`}
    const end = i + 1 < offsets.length ? offsets[i + 1] : offsets[i] + codePoints(tokens[i])
    const value = values[i]
    if (i > 0 && (value === null || !Number.isFinite(value))) {
      return {ok: false, reason: `prompt token ${i} of ${inside} ("${tokens[i]}") has no finite log-prob`}
    }
    out.push({start: offsets[i], end, logprob: i === 0 ? null : value})
  }
  if (out[out.length - 1].end < length) {
    return {ok: false, reason: `its prompt tokens end at character ${out[out.length - 1].end} of ${length}, so part of the prompt has no log-probs`}
  }
  return {ok: true, tokens: out}
}

/**
 * The summed negative log-likelihood (nats) and token count of the reference: the tokens ending
 * after character `boundary` (code points), so a token straddling the boundary counts to the reference.
 */
export function referenceNll(coverage: Extract<Coverage, {ok: true}>, boundary: number): {nll: number; tokens: number} {
  let nll = 0
  let tokens = 0
  for (const t of coverage.tokens) {
    if (t.end <= boundary || t.logprob === null) continue
    nll -= t.logprob
    tokens += 1
  }
  return {nll, tokens}
}
