import {z} from 'zod'

/**
 * The parts of OpenAI-compatible responses lrgate reads, validated before use. Servers differ in
 * what else they send (vLLM adds `prompt_logprobs`, llama.cpp `timings`), so unknown keys pass;
 * log-prob arrays may hold nulls (the first prompt token has no log-prob) and may be missing
 * (Ollama's /v1/completions has no logprobs).
 */
export const modelsResponseSchema = z.object({
  data: z.array(z.object({id: z.string().min(1), lrgate: z.object({tokenizer: z.string().min(1)}).passthrough().optional()}).passthrough()),
})
export type ModelsResponse = z.infer<typeof modelsResponseSchema>

export const completionLogprobsSchema = z
  .object({
    tokens: z.array(z.string()).nullish(),
    token_logprobs: z.array(z.number().nullable()).nullish(),
    text_offset: z.array(z.number().int()).nullish(),
  })
  .passthrough()
export type CompletionLogprobs = z.infer<typeof completionLogprobsSchema>

export const completionResponseSchema = z
  .object({
    choices: z
      .array(z.object({text: z.string(), logprobs: completionLogprobsSchema.nullish()}).passthrough())
      .min(1, 'expected at least one choice'),
  })
  .passthrough()
export type CompletionResponse = z.infer<typeof completionResponseSchema>

export const chatResponseSchema = z
  .object({
    choices: z
      .array(z.object({message: z.object({content: z.string().nullable()}).passthrough()}).passthrough())
      .min(1, 'expected at least one choice'),
  })
  .passthrough()
export type ChatResponse = z.infer<typeof chatResponseSchema>
