/**
 * The names of lrgate's built-in evaluators. Kept apart from the registry so config validation
 * and `lrgate check` can know them without loading the evaluators themselves (ajv, stop words).
 */
export const BUILTIN_EVALUATOR_NAMES = [
  'relevance',
  'hallucination',
  'perplexity',
  'json-valid',
  'exact-match',
  'contains',
  'regex',
  'bitsPerByte',
] as const

export type BuiltinEvaluatorName = (typeof BUILTIN_EVALUATOR_NAMES)[number]

/** The metric every evaluation gets per cohort besides its evaluators: failed records / records. */
export const FAIL_RATE_METRIC = 'failRate'
