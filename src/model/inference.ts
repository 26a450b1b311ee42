import type {GptConfig} from './config.js'

/**
 * What evaluation needs from a model, whatever runs it (the native decoder, or tfjs ops on the
 * other backends). Sequences are packed: `seqs` holds, for each sequence, 4 int32s —
 * (first row in `tokens`, length, cache slot, position of its first row) — so a call carries
 * prompts being read in and single new tokens of other sequences side by side, with no padding.
 */
export const SEQUENCE_FIELDS = 4

export interface KvDecoder {
  /**
   * Runs each sequence's rows at positions [position, position + length) of its cache slot (the
   * slot must hold exactly `position` earlier tokens of that sequence; position 0 starts it
   * afresh) and writes the logits of each sequence's last row into logits [nseq, vocab].
   */
  forward(tokens: Int32Array, seqs: Int32Array, nseq: number, logits: Float32Array): void
  /**
   * `forward` with the logits of row pick[i] (a row of sequence i) instead of its last row, and the
   * NLL (nats) of targets[r] after every row r of sequence i from pick[i] on into nll (what earlier
   * rows get is unspecified): a prompt read in with its reference scores
   * the reference and starts generation from the prompt's end in one pass. Absent where the engine
   * lacks it (tfjs ops): callers then score separately.
   */
  forwardNll?(tokens: Int32Array, seqs: Int32Array, nseq: number, pick: Int32Array, logits: Float32Array, targets: Int32Array, nll: Float32Array): void
  dispose(): void
}

export interface InferenceModel {
  readonly config: GptConfig
  /** A decoder with a key/value cache for `slots` sequences at once. */
  decoder(slots: number): KvDecoder
  /**
   * Without a cache: the negative log-likelihood (nats) of targets[r] after row r, for every row
   * of the packed sequences (each with slot -1 and position 0), into nll. With `from`, only rows
   * from from[i] on (relative to sequence i) need scoring: what earlier rows get is unspecified,
   * and an engine may skip their last layer (a sliding window's context, see scoreRecords).
   */
  rowNll(tokens: Int32Array, seqs: Int32Array, nseq: number, targets: Int32Array, nll: Float32Array, from?: Int32Array): void
  /** Frees what it holds (native memory, tensors). */
  dispose(): void
}

export function isInferenceModel(model: object): model is InferenceModel {
  return typeof (model as InferenceModel).rowNll === 'function' && typeof (model as InferenceModel).decoder === 'function'
}
