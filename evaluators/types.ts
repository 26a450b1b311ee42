/**
 * The one interface every evaluator implements, built-in or a user's module.
 * An evaluator scores one record; lrgate aggregates the scores per cohort.
 */

/** Record fields an evaluator may need: the dataset's fields plus what the model (or outputs file) gave. */
export const RECORD_FIELDS = ['input', 'reference', 'context', 'text', 'output', 'nll', 'tokens', 'bytes'] as const
export type RecordField = (typeof RECORD_FIELDS)[number]

/** What an evaluator sees for one record. */
export interface ScoredRecord {
  id: string
  cohort: string
  input?: string
  reference?: string
  context?: string
  text?: string
  /** Generated text. */
  output?: string
  /** Sum of the negative log-likelihood (nats) of the reference or text tokens. */
  nll?: number
  /** How many tokens `nll` sums over. */
  tokens?: number
  /** UTF-8 bytes of the text `nll` covers (the continuation as lrgate frames it: " " + reference + "\n", or the text). */
  bytes?: number
}

/** Which way a score is better: relevance `higher`, hallucination `lower`. */
export type Direction = 'higher' | 'lower'

/**
 * How record scores become one cohort value.
 * - `mean`: the mean of the record scores.
 * - `perplexity`: exp(Σ nll / Σ tokens) over the records' nll and tokens (a ratio of sums, not a mean
 *   of per-record perplexities).
 * - `bitsPerByte`: Σ nll / (Σ bytes · ln 2) over the records' nll and bytes (lm-evaluation-harness's
 *   bits_per_byte), comparable across tokenizers.
 */
export const AGGREGATIONS = ['mean', 'perplexity', 'bitsPerByte'] as const
export type Aggregation = (typeof AGGREGATIONS)[number]

/** A record's score with an optional reason shown when the record fails. */
export interface Score {
  /**
   * A number; ±Infinity is allowed (e.g. a perplexity whose exp overflowed) and fails any threshold
   * on the wrong side; NaN is an error.
   */
  value: number
  reason?: string
}

export interface Evaluator {
  /** The metric name scores are stored and gated under, e.g. `relevance`. */
  name: string
  description?: string
  /**
   * The version of the scoring rule, stored with every evaluation. Scores of two versions mean different
   * things, so `lrgate check` refuses to compare them. Change it whenever a score changes; absent = "1".
   */
  version?: string
  /** Fields a record must have for this evaluator to apply; other records are not scored by it. */
  needs: readonly RecordField[]
  direction: Direction
  /** A record fails when its score is on the wrong side of this (below for `higher`, above for `lower`). */
  threshold?: number
  /** Cohort aggregation; `mean` when absent. */
  aggregation?: Aggregation
  score(record: ScoredRecord): number | Score | Promise<number | Score>
}

/** Options a config entry gives a built-in evaluator (only some built-ins read each one). */
export interface EvaluatorOptions {
  threshold?: number
  /** regex: the pattern; flags: its flags. */
  pattern?: string
  flags?: string
  /** contains: the text (or all of several texts) the output must contain; the reference when absent. */
  value?: string | string[]
  /** exact-match, contains: compare case-insensitively. */
  ignoreCase?: boolean
  /** json-valid: a JSON schema (already read from its file) the output must satisfy. */
  schema?: Record<string, unknown>
}

/** Builds a configured evaluator; every built-in is one of these. */
export type EvaluatorFactory = (options: EvaluatorOptions) => Evaluator
