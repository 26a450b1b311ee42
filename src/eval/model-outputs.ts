import type {Dataset} from '../datasets/types.js'

/** What a model (or an outputs file) gives for one record. */
export interface RecordOutput {
  id: string
  /** Generated text; absent for perplexity-only `text` records. */
  output?: string
  /** Sum of negative log-likelihood (nats) of the reference (or text) tokens. */
  nll?: number
  tokens?: number
}

export interface ModelOutputOptions {
  modelDir: string
  generation: {maxTokens: number; temperature: number; topK: number; stop: string[]; batchSize: number}
  seed: number
  backend: string
  onProgress?: (done: number, total: number) => void
}

/**
 * Runs a dataset through a model directory: generations for input records, NLLs for all.
 * Provided by the engine (src/model, src/compute); this module is the seam `lrgate eval --model` uses.
 */
export async function modelOutputs(_dataset: Dataset, _options: ModelOutputOptions): Promise<RecordOutput[]> {
  throw new Error('the model engine is being built; use --outputs for now')
}
