import type {EvaluatorFactory} from './types.js'

/**
 * `perplexity`: per record exp(nll / tokens); per cohort exp(Σ nll / Σ tokens) (lower is better).
 * Needs the record's nll and tokens, from the model or the outputs file.
 */
export const perplexity: EvaluatorFactory = (options) => ({
  name: 'perplexity',
  description: 'exp(Σ nll / Σ tokens) of the reference or text',
  needs: ['nll', 'tokens'],
  direction: 'lower',
  threshold: options.threshold,
  aggregation: 'perplexity',
  score: (record) => Math.exp((record.nll ?? 0) / (record.tokens ?? 1)),
})
