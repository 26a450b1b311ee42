import type {Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import type {RecordOutput} from '../store/evaluations.js'
import {recordText} from '../model/record-text.js'
import {EndpointClient, type EndpointSettings} from './client.js'
import {mapLimit} from './map-limit.js'
import {checkCoverage, codePoints, referenceNll} from './prompt-logprobs.js'
import {probePromptLogprobs} from './probe.js'
import {chatResponseSchema, completionResponseSchema, modelsResponseSchema} from './response-schema.js'

export interface EndpointGeneration {
  maxTokens: number
  temperature: number
  topK: number
  stop: string[]
}

/** What an endpoint evaluation gives besides the outputs, stored with the evaluation. */
export interface EndpointRun {
  outputs: RecordOutput[]
  /** The model asked for (given, or the only one the server lists). */
  model: string
  /** Tokenizer identity: lrgate serve reports its own; otherwise `model:<id>` (a served model id names its tokenizer; different ids count as different tokenizers). */
  tokenizer: string
  /** Why perplexity is unavailable from this endpoint; absent when the probe passed. */
  perplexityUnavailable?: string
}

/**
 * The endpoint as a model adapter: the same per-record outputs (output, nll, tokens) `eval --model`
 * gives. Resolves the model from /models, probes prompt log-probs, then sends one generation per
 * question→answer record and (when the probe passed) one `echo` scoring request per record, at
 * most `concurrency` at a time. Any request that still fails after the client's retries fails the
 * whole evaluation (an InputError naming the record); nothing is dropped.
 */
export async function endpointOutputs(
  dataset: Dataset,
  settings: EndpointSettings,
  options: {generation: EndpointGeneration; seed: number; env: NodeJS.ProcessEnv; onProgress?: (fraction: number, phase: 'generate' | 'score') => void; signal?: AbortSignal},
): Promise<EndpointRun> {
  const client = new EndpointClient(settings, options.env, options.signal)
  const listed = (await client.get('/models', modelsResponseSchema, 'the model list')).data
  const model = pickModel(client.url, listed.map((m) => m.id), settings.model)
  const tokenizer = listed.find((m) => m.id === model)?.lrgate?.tokenizer ?? `model:${model}`

  const probe = await probePromptLogprobs(client, model)
  const texts = dataset.records.map((r) => recordText(r))
  const generative = dataset.records.flatMap((r, i) => (texts[i].generative ? [{record: r, prompt: texts[i].prompt}] : []))

  let done = 0
  const generated = await mapLimit(generative, settings.concurrency, async ({record, prompt}) => {
    const what = `record "${record.id}"`
    const text = settings.api === 'chat'
      ? (await client.post('/chat/completions', {...generationBody(model, options), messages: [{role: 'user', content: prompt}]}, chatResponseSchema, what)).choices[0].message.content ?? ''
      : (await client.post('/completions', {...generationBody(model, options), prompt}, completionResponseSchema, what)).choices[0].text
    options.onProgress?.(++done / Math.max(1, generative.length), 'generate')
    return cutAtStop(text, options.generation.stop).trim()
  })
  const outputOf = new Map(generative.map((g, i) => [g.record.id, generated[i]]))

  let scored: Array<{nll: number; tokens: number} | undefined> = dataset.records.map(() => undefined)
  if (probe.ok) {
    done = 0
    scored = await mapLimit(dataset.records, settings.concurrency, async (record, i) => {
      const {prompt, completion} = texts[i]
      const text = prompt + completion
      const what = `record "${record.id}"`
      const response = await client.post('/completions', {model, prompt: text, echo: true, logprobs: 1, max_tokens: probe.maxTokens, temperature: 0}, completionResponseSchema, what)
      const coverage = checkCoverage(text, response.choices[0].logprobs)
      if (!coverage.ok) {
        throw new InputError(`${client.url}/completions: the prompt log-probs for ${what} do not cover its text (${coverage.reason}) although the probe's did; the server is inconsistent, evaluate without perplexity by removing it from eval.evaluators.`)
      }
      options.onProgress?.(++done / dataset.records.length, 'score')
      return referenceNll(coverage, codePoints(prompt))
    })
  }
  return {
    outputs: dataset.records.map((r, i) => ({
      id: r.id,
      ...(outputOf.has(r.id) ? {output: outputOf.get(r.id)} : {}),
      ...(scored[i] !== undefined && scored[i]!.tokens > 0 ? scored[i] : {}),
    })),
    model,
    tokenizer,
    ...(probe.ok ? {} : {perplexityUnavailable: probe.reason}),
  }
}

function generationBody(model: string, options: {generation: EndpointGeneration; seed: number}): Record<string, unknown> {
  const g = options.generation
  return {
    model,
    max_tokens: g.maxTokens,
    temperature: g.temperature,
    // OpenAI takes at most 4 stop sequences; top_k is vLLM's (and lrgate serve's) extension, sent only when set
    ...(g.stop.length > 0 ? {stop: g.stop.slice(0, 4)} : {}),
    ...(g.topK > 0 ? {top_k: g.topK} : {}),
    seed: options.seed,
  }
}

/** The text before the first stop sequence: every configured stop applies, also where the server ignores `stop` or takes only 4. */
export function cutAtStop(text: string, stop: readonly string[]): string {
  let end = text.length
  for (const s of stop) {
    const at = s === '' ? -1 : text.indexOf(s)
    if (at >= 0) end = Math.min(end, at)
  }
  return text.slice(0, end)
}

/** The model to ask for: the one given (it must be listed), or the only one listed. */
function pickModel(url: string, ids: readonly string[], wanted: string | undefined): string {
  const shown = ids.map((id) => `"${id}"`).join(', ')
  if (wanted !== undefined) {
    if (ids.length > 0 && !ids.includes(wanted)) throw new InputError(`${url}/models: the server does not serve model "${wanted}"; it lists ${shown}; fix --endpoint-model.`)
    return wanted
  }
  if (ids.length === 1) return ids[0]
  if (ids.length === 0) throw new InputError(`${url}/models: the server lists no model; name one with --endpoint-model.`)
  throw new InputError(`${url}/models: the server lists ${ids.length} models (${shown}); choose one with --endpoint-model.`)
}
