import {type EndpointClient, EndpointError} from './client.js'
import {checkCoverage} from './prompt-logprobs.js'
import {completionResponseSchema} from './response-schema.js'

/** A fixed English sentence: every tokenizer splits it into several tokens. */
export const PROBE_TEXT = 'The quick brown fox jumps over the lazy dog, and the dog sleeps.'

export type ProbeResult = {ok: true; maxTokens: 0 | 1} | {ok: false; reason: string}

/**
 * Asks the server for the log-probs of a known prompt (`echo: true, logprobs: 1, max_tokens: 0`,
 * or max_tokens 1 when it refuses 0) and checks they cover the prompt (src/endpoint/prompt-logprobs.ts).
 * Many servers answer without prompt log-probs and say nothing (llama.cpp's server, Ollama, TGI's
 * OpenAI route): then perplexity is unavailable, with a reason naming what the server did.
 * Connection and auth failures are not a probe result: they throw.
 */
export async function probePromptLogprobs(client: EndpointClient, model: string): Promise<ProbeResult> {
  let last = ''
  for (const maxTokens of [0, 1] as const) {
    let response
    try {
      response = await client.post('/completions', {model, prompt: PROBE_TEXT, echo: true, logprobs: 1, max_tokens: maxTokens, temperature: 0}, completionResponseSchema, 'the prompt log-prob probe')
    } catch (error) {
      // a 4xx other than auth (e.g. llama.cpp's "Only no echo is supported"): a probe result, not a failure
      const status = error instanceof EndpointError ? error.status : undefined
      if (error instanceof EndpointError && status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403) {
        last = `it refused the request (${status} ${error.said})`
        continue
      }
      throw error
    }
    const coverage = checkCoverage(PROBE_TEXT, response.choices[0].logprobs)
    if (coverage.ok) return {ok: true, maxTokens}
    if (!response.choices[0].text.startsWith(PROBE_TEXT)) {
      return {ok: false, reason: `${coverage.reason}; it also ignored echo (the text returned does not start with the prompt)`}
    }
    return {ok: false, reason: coverage.reason}
  }
  return {ok: false, reason: last}
}
