import type {Dataset} from '../datasets/types.js'

import type {RecordOutput} from '../store/evaluations.js'

export type {RecordOutput}

export interface ModelOutputOptions {
  modelDir: string
  generation: {maxTokens: number; temperature: number; topK: number; stop: string[]; batchSize: number}
  seed: number
  backend: string
  /** fraction done (0..1) and what is running */
  onProgress?: (fraction: number, phase: 'generate' | 'score') => void
  /** stops the work between two forward passes (SIGTERM, Ctrl-C): modelOutputs then throws Interrupted */
  signal?: AbortSignal
}

/**
 * Runs a dataset through a model directory: a generation for every question→answer record and
 * the NLL of every record's reference (or text). The engine is imported here, lazily, so
 * `lrgate eval --outputs` and `lrgate check` never load it; on the native path tfjs is not
 * loaded at all (see openInferenceModel).
 */
export async function modelOutputs(dataset: Dataset, options: ModelOutputOptions): Promise<RecordOutput[]> {
  const {openInferenceModel} = await import('../model/open-inference.js')
  const {generateYielding} = await import('../model/generate.js')
  const {scoreRecordsYielding} = await import('../model/score.js')
  const {recordText} = await import('../model/record-text.js')
  const {model, tokenizer} = await openInferenceModel(options.modelDir, options.backend)
  try {
    // The yielding engine lets the command's SIGTERM handler run between forward passes.
    const generative = dataset.records.filter((r) => recordText(r).generative)
    const generations = await generateYielding(
      model,
      tokenizer,
      generative.map((r) => recordText(r).prompt),
      {...options.generation, seed: options.seed},
      (f) => options.onProgress?.(f, 'generate'),
      options.signal,
    )
    const nll = await scoreRecordsYielding(model, tokenizer, dataset.records, options.generation.batchSize, (f) => options.onProgress?.(f, 'score'), options.signal)
    return assemble(dataset, generative, generations, nll)
  } finally {
    model.dispose()
  }
}

type Engine = {
  model: import('../model/gpt.js').Gpt | import('../model/inference.js').InferenceModel
  tokenizer: import('../model/tokenizer.js').CharTokenizer
  generate: typeof import('../model/generate.js').generate
  scoreRecords: typeof import('../model/score.js').scoreRecords
  recordText: typeof import('../model/record-text.js').recordText
}

/** Outputs of an already loaded model (the sweep evaluates the model it just trained). */
export function outputsOf(dataset: Dataset, engine: Engine, options: Omit<ModelOutputOptions, 'modelDir' | 'backend'>): RecordOutput[] {
  const {model, tokenizer} = engine
  const generative = dataset.records.filter((r) => engine.recordText(r).generative)
  const generations = engine.generate(
    model,
    tokenizer,
    generative.map((r) => engine.recordText(r).prompt),
    {...options.generation, seed: options.seed},
    (f) => options.onProgress?.(f, 'generate'),
  )
  const nll = engine.scoreRecords(model, tokenizer, dataset.records, options.generation.batchSize, (f) => options.onProgress?.(f, 'score'))
  return assemble(dataset, generative, generations, nll)
}

/** One output per record, in dataset order: the trimmed generation (generative records) and the NLL. */
function assemble(dataset: Dataset, generative: Dataset['records'], generations: string[], nll: Array<{nll: number; tokens: number}>): RecordOutput[] {
  const byId = new Map(generative.map((r, i) => [r.id, generations[i].trim()]))
  return dataset.records.map((r, i) => ({
    id: r.id,
    ...(byId.has(r.id) ? {output: byId.get(r.id)} : {}),
    nll: nll[i].nll,
    tokens: nll[i].tokens,
  }))
}
