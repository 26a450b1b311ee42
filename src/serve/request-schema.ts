import {z} from 'zod'

/**
 * The body of `POST /v1/completions` that `lrgate serve` accepts: OpenAI's completions request
 * (https://platform.openai.com/docs/api-reference/completions/create) plus vLLM's `top_k`.
 * Parameters that would change the result but are not implemented (n > 1, streaming, top_p < 1,
 * penalties, best_of > 1, suffix) are refused with a 400 rather than silently ignored; their
 * neutral values are accepted because clients often send them.
 */
export const completionRequestSchema = z
  .object({
    model: z.string().min(1).optional(),
    prompt: z.union([z.string(), z.array(z.string()).min(1).max(256)], {
      error: 'must be a string or a list of strings (token-id prompts are not supported)',
    }),
    // OpenAI's default is 16
    max_tokens: z.number().int().nonnegative().nullish(),
    // OpenAI's default is 1; 0 = greedy
    temperature: z.number().min(0).max(2).nullish(),
    // vLLM's extension: -1 or 0 = no top-k filter
    top_k: z.number().int().min(-1).nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    seed: z.number().int().nullish(),
    echo: z.boolean().nullish(),
    // OpenAI allows at most 5 alternatives
    logprobs: z.number().int().min(0).max(5).nullish(),
    // accepted only at their neutral values
    n: z.literal(1).nullish(),
    best_of: z.literal(1).nullish(),
    stream: z.literal(false).nullish(),
    top_p: z.literal(1).nullish(),
    presence_penalty: z.literal(0).nullish(),
    frequency_penalty: z.literal(0).nullish(),
    suffix: z.null().optional(),
    user: z.string().optional(),
  })
  .strict()
export type CompletionRequest = z.infer<typeof completionRequestSchema>

/** A request with OpenAI's defaults filled in. */
export interface CompletionSettings {
  prompts: string[]
  maxTokens: number
  temperature: number
  topK: number
  stop: string[]
  seed: number
  echo: boolean
  /** null: no logprobs in the response; N ≥ 0: log-probs with N alternatives per token */
  logprobs: number | null
}

/** Fills OpenAI's defaults (max_tokens 16, temperature 1, seed 0 when absent). */
export function completionSettings(request: CompletionRequest): CompletionSettings {
  return {
    prompts: typeof request.prompt === 'string' ? [request.prompt] : request.prompt,
    maxTokens: request.max_tokens ?? 16,
    temperature: request.temperature ?? 1,
    topK: Math.max(0, request.top_k ?? 0),
    stop: request.stop == null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop,
    seed: request.seed ?? 0,
    echo: request.echo ?? false,
    logprobs: request.logprobs ?? null,
  }
}
