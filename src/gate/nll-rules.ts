import type {Aggregation} from '../../evaluators/types.js'
import {InputError} from '../errors.js'
import type {EvaluationRow} from '../store/evaluations.js'

/**
 * Checks a rule on a metric computed from log-likelihoods (perplexity, bitsPerByte) before it is
 * compared. Returns why the rule is skipped when either evaluation came from an endpoint that gave
 * no prompt log-probs; throws an InputError for a perplexity rule across two different tokenizers
 * (per-token perplexities of different tokenizers are different units; bitsPerByte is not).
 * Returns undefined when the rule can be compared.
 */
export function nllRuleCheck(metric: string, kind: Aggregation | undefined, baseline: EvaluationRow, candidate: EvaluationRow): string | undefined {
  if (kind !== 'perplexity' && kind !== 'bitsPerByte') return undefined
  const who = (e: EvaluationRow, role: string) => `the ${role} evaluation #${e.id} ("${e.label}")`
  for (const [e, role] of [[candidate, 'candidate'], [baseline, 'baseline']] as const) {
    if (e.perplexityUnavailable !== null) return `${metric} is unavailable from ${who(e, role)}: ${e.perplexityUnavailable}`
  }
  if (kind === 'perplexity' && baseline.tokenizer !== null && candidate.tokenizer !== null && baseline.tokenizer !== candidate.tokenizer) {
    throw new InputError(
      `metric "${metric}": ${who(candidate, 'candidate')} counts tokens with tokenizer ${candidate.tokenizer} and ${who(baseline, 'baseline')} with ${baseline.tokenizer}, so their per-token perplexities are different units; gate on bitsPerByte instead (add it to eval.evaluators and use metric: bitsPerByte).`,
    )
  }
  return undefined
}
