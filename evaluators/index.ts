import {bitsPerByte} from './bits-per-byte.js'
import {contains} from './contains.js'
import {exactMatch} from './exact-match.js'
import {hallucination} from './hallucination.js'
import {jsonValid} from './json-valid.js'
import type {BuiltinEvaluatorName} from './names.js'
import {perplexity} from './perplexity.js'
import {regex} from './regex.js'
import {relevance} from './relevance.js'
import type {EvaluatorFactory} from './types.js'

/**
 * Every built-in evaluator by name. The mapped type makes a name in BUILTIN_EVALUATOR_NAMES
 * without a factory here a compile error.
 */
export const BUILTIN_EVALUATORS: {readonly [K in BuiltinEvaluatorName]: EvaluatorFactory} = {
  relevance,
  hallucination,
  perplexity,
  'json-valid': jsonValid,
  'exact-match': exactMatch,
  contains,
  regex,
  bitsPerByte,
}

export {BUILTIN_EVALUATOR_NAMES, type BuiltinEvaluatorName, FAIL_RATE_METRIC} from './names.js'
export type * from './types.js'
