import {z} from 'zod'

import {BUILTIN_EVALUATOR_NAMES, FAIL_RATE_METRIC} from '../../evaluators/names.js'

const builtinName = z.enum(BUILTIN_EVALUATOR_NAMES, {
  error: () => `not a built-in evaluator; use one of ${BUILTIN_EVALUATOR_NAMES.join(', ')}, or "path" for your own module`,
})

/**
 * One evaluator in config: a built-in name, or an object naming a built-in (`name`) or a user
 * module (`path`, relative to the config file) with its options. `threshold` makes a record fail on
 * the wrong side of it; `cohorts` (a glob such as "ood:*") restricts it; `metric` stores its scores
 * under another name (needed when one evaluator is configured twice).
 */
export const evaluatorSpecSchema = z.union([
  builtinName,
  z
    .object({
      name: builtinName.optional(),
      path: z.string().min(1).optional(),
      metric: z
        .string()
        .min(1)
        .refine((m) => m !== FAIL_RATE_METRIC, {message: `"${FAIL_RATE_METRIC}" is computed by lrgate; choose another metric name`})
        .optional(),
      threshold: z.number().optional(),
      cohorts: z.string().min(1).optional(),
      // options of the built-ins that take one
      pattern: z.string().optional(),
      flags: z.string().optional(),
      value: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
      ignoreCase: z.boolean().optional(),
      // json-valid: a JSON schema, inline or a file path relative to the config file
      schema: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    })
    .strict()
    .refine((e) => (e.name === undefined) !== (e.path === undefined), {
      message: 'give exactly one of "name" (a built-in evaluator) or "path" (your own module)',
    }),
], {
  error: (issue) => {
    const unknown = unknownBuiltin(issue.input)
    return unknown === undefined
      ? undefined
      : `"${unknown}" is not a built-in evaluator; use one of ${BUILTIN_EVALUATOR_NAMES.join(', ')}, or {path: ...} for your own module`
  },
})

/** The evaluator name a config entry asks for when it is not a built-in (for a readable union error). */
function unknownBuiltin(input: unknown): string | undefined {
  const name = typeof input === 'string' ? input : typeof input === 'object' && input !== null ? (input as {name?: unknown}).name : undefined
  return typeof name === 'string' && !(BUILTIN_EVALUATOR_NAMES as readonly string[]).includes(name) ? name : undefined
}
export type EvaluatorSpec = z.infer<typeof evaluatorSpecSchema>

export const generationSchema = z
  .object({
    maxTokens: z.number().int().positive(),
    temperature: z.number().nonnegative(),
    topK: z.number().int().nonnegative(),
    stop: z.array(z.string()),
    batchSize: z.number().int().positive(),
  })
  .strict()

/**
 * An OpenAI-compatible server to evaluate (`lrgate eval --endpoint`): its base URL, the model to ask
 * for (default: the only one /v1/models lists), the environment variable holding the API key
 * (never the key itself), requests in flight, per-request timeout, retries, and the generation route.
 */
export const endpointSchema = z
  .object({
    url: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name (the key itself is never put in a config file)'),
    concurrency: z.number().int().positive(),
    timeoutSeconds: z.number().positive(),
    maxRetries: z.number().int().nonnegative(),
    api: z.enum(['completions', 'chat']),
  })
  .strict()
export type EndpointConfig = z.infer<typeof endpointSchema>

export const evalSchema = z
  .object({
    evaluators: z.array(evaluatorSpecSchema),
    generation: generationSchema.partial(),
    resamples: z.number().int().min(100),
    confidence: z.number().gt(0).lt(1),
    endpoint: endpointSchema,
    // a command that serves one model folder over the OpenAI protocol, e.g. "vllm serve {model} --port {port}"
    serveCommand: z
      .string()
      .min(1)
      .refine((t) => t.includes('{model}') && t.includes('{port}'), {message: 'must contain the placeholders {model} and {port}'})
      .optional(),
    // your own generation script for models lrgate cannot load: {model} {dataset} {outputs}
    outputsCommand: z.string().min(1).optional(),
  })
  .strict()

/**
 * A gate rule: `{cohorts: "ood:*", metric: relevance, maxDrop: 0.02}`. Exactly one limit.
 * `relative: true` reads the limit as a fraction of the baseline value.
 */
export const gateRuleSchema = z
  .object({
    name: z.string().optional(),
    cohorts: z.string().min(1).optional(),
    metric: z.string().min(1),
    maxDrop: z.number().nonnegative().optional(),
    maxRise: z.number().nonnegative().optional(),
    minGain: z.number().optional(),
    relative: z.boolean().optional(),
  })
  .strict()
  .refine((r) => [r.maxDrop, r.maxRise, r.minGain].filter((v) => v !== undefined).length === 1, {
    message: 'a gate rule takes exactly one of maxDrop, maxRise or minGain',
  })
export type GateRule = z.infer<typeof gateRuleSchema>

export const gateSchema = z
  .object({
    baseline: z.string().min(1),
    confidence: z.number().gt(0).lt(1),
    resamples: z.number().int().min(100),
    rules: z.array(gateRuleSchema),
  })
  .strict()
