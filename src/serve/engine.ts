import type {Gpt} from '../model/gpt.js'
import {generate} from '../model/generate.js'
import {type InferenceModel, isInferenceModel} from '../model/inference.js'
import type {CharTokenizer} from '../model/tokenizer.js'
import type {CompletionSettings} from './request-schema.js'
import {sequenceLogprobs, tokenizeWithOffsets} from './token-logprobs.js'

/** One choice of a completion, in OpenAI's field names where the response uses them. */
export interface CompletionChoice {
  /** The completion (with echo: prompt + completion). */
  text: string
  finishReason: 'stop' | 'length'
  promptTokens: number
  completionTokens: number
  logprobs: {
    tokens: string[]
    token_logprobs: Array<number | null>
    top_logprobs: Array<Record<string, number> | null>
    text_offset: number[]
  } | null
}

interface Job {
  settings: CompletionSettings
  resolve: (choices: CompletionChoice[]) => void
  reject: (error: unknown) => void
}

/**
 * Answers completion requests with one model, batching whatever arrived while the previous batch
 * ran (plus a 10 ms window): requests with the same generation settings share one call of the KV-cache generator
 * (src/model/generate.ts), and every log-prob request of a flush shares one scoring pass. The
 * work is synchronous, so concurrent HTTP requests pile up during a batch and form the next one.
 * With temperature > 0 one random stream serves the whole batch, so `seed` reproduces a sampled
 * completion only when the same requests are batched together.
 */
export class CompletionEngine {
  private queue: Job[] = []
  private scheduled = false
  /** The engine every generation and scoring pass runs on (the native decoder when `lrgate serve` has it). */
  readonly model: InferenceModel
  private readonly owned: boolean

  /** `model`: an inference engine (openInferenceModel), or a tfjs Gpt whose inference() is used (and disposed by dispose()). */
  constructor(
    model: Gpt | InferenceModel,
    readonly tokenizer: CharTokenizer,
    private readonly batchSize = 64,
    /** Milliseconds a first request waits for others to join its batch. */
    private readonly windowMs = 10,
  ) {
    this.owned = !isInferenceModel(model)
    this.model = isInferenceModel(model) ? model : model.inference()
  }

  /** Frees the inference engine it made from a Gpt (an engine passed in is the caller's). */
  dispose(): void {
    if (this.owned) this.model.dispose()
  }

  /** Resolves with one choice per prompt, in prompt order. */
  complete(settings: CompletionSettings): Promise<CompletionChoice[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({settings, resolve, reject})
      if (!this.scheduled) {
        this.scheduled = true
        // a short window: clients answered by the last batch send their next requests together
        setTimeout(() => this.flush(), this.windowMs)
      }
    })
  }

  private flush(): void {
    const jobs = this.queue
    this.queue = []
    this.scheduled = false
    try {
      const results = this.run(jobs.map((j) => j.settings))
      jobs.forEach((j, i) => j.resolve(results[i]))
    } catch (error) {
      for (const j of jobs) j.reject(error)
    }
  }

  /** Generation per group of equal settings, then one scoring pass for every log-prob request. */
  private run(all: CompletionSettings[]): CompletionChoice[][] {
    const completions = all.map((s) => s.prompts.map(() => ''))
    const groups = new Map<string, Array<{job: number; prompt: number}>>()
    all.forEach((s, job) => {
      if (s.maxTokens === 0) return
      const key = JSON.stringify([s.maxTokens, s.temperature, s.topK, s.stop, s.seed])
      const group = groups.get(key) ?? []
      s.prompts.forEach((_, prompt) => group.push({job, prompt}))
      groups.set(key, group)
    })
    for (const group of groups.values()) {
      const s = all[group[0].job]
      const texts = generate(this.model, this.tokenizer, group.map(({job, prompt}) => all[job].prompts[prompt]), {
        maxTokens: s.maxTokens, temperature: s.temperature, topK: s.topK, stop: s.stop, seed: s.seed, batchSize: this.batchSize,
      })
      group.forEach(({job, prompt}, i) => (completions[job][prompt] = texts[i]))
    }

    const tokenized = all.map((s, job) => s.prompts.map((p, i) => ({prompt: tokenizeWithOffsets(this.tokenizer, p), completion: tokenizeWithOffsets(this.tokenizer, completions[job][i])})))
    const wanted = all.flatMap((s, job) => (s.logprobs === null ? [] : s.prompts.map((_, i) => ({job, i}))))
    const top = Math.max(0, ...all.map((s) => s.logprobs ?? 0))
    const sequences = wanted.map(({job, i}) => Int32Array.from([...tokenized[job][i].prompt.ids, ...tokenized[job][i].completion.ids]))
    const scored = sequences.length === 0 ? [] : sequenceLogprobs(this.model, sequences, {top, batchSize: 32})
    const scoredOf = new Map(wanted.map(({job, i}, k) => [`${job}:${i}`, scored[k]]))

    return all.map((s, job) =>
      s.prompts.map((prompt, i) => {
        const {prompt: p, completion: c} = tokenized[job][i]
        const lp = scoredOf.get(`${job}:${i}`)
        const promptChars = [...prompt].length
        const from = s.echo ? 0 : p.ids.length
        const ids = [...p.ids, ...c.ids]
        const offsets = [...p.offsets, ...c.offsets.map((o) => o + promptChars)]
        return {
          text: s.echo ? prompt + completions[job][i] : completions[job][i],
          finishReason: s.maxTokens > 0 && c.ids.length >= s.maxTokens ? 'length' : s.maxTokens === 0 ? 'length' : 'stop',
          promptTokens: p.ids.length,
          completionTokens: c.ids.length,
          logprobs:
            lp === undefined
              ? null
              : {
                  tokens: ids.slice(from).map((id) => this.tokenizer.decode([id])),
                  token_logprobs: lp.logprobs.slice(from),
                  top_logprobs: lp.top.slice(from).map((alts) =>
                    alts === null || s.logprobs === 0 ? null : Object.fromEntries(alts.slice(0, s.logprobs!).map((a) => [this.tokenizer.decode([a.id]), a.logprob])),
                  ),
                  text_offset: offsets.slice(from),
                },
        }
      }),
    )
  }
}
