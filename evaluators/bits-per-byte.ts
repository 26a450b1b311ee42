import type {EvaluatorFactory} from './types.js'

/**
 * `bitsPerByte`: −Σ log-prob / Σ bytes / ln 2 of the reference or text, as lm-evaluation-harness's
 * bits_per_byte (lower is better). Per record nll / (bytes · ln 2); per cohort Σ nll / (Σ bytes · ln 2).
 * Unlike perplexity it does not depend on how a tokenizer splits the text, so it compares models
 * with different tokenizers (e.g. a served model and lrgate's char-level one).
 */
export const bitsPerByte: EvaluatorFactory = (options) => ({
  name: 'bitsPerByte',
  description: 'Σ nll / (Σ UTF-8 bytes · ln 2) of the reference or text',
  needs: ['nll', 'bytes'],
  direction: 'lower',
  threshold: options.threshold,
  aggregation: 'bitsPerByte',
  score: (record) => (record.nll ?? 0) / ((record.bytes ?? 1) * Math.LN2),
})
