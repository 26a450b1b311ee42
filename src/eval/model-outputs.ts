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
  const {generateAndScoreYielding} = await import('../model/generate.js')
  const {scoreRecordsYielding} = await import('../model/score.js')
  const {recordText} = await import('../model/record-text.js')
  const {model, tokenizer} = await openInferenceModel(options.modelDir, options.backend)
  try {
    // The yielding engine lets the command's SIGTERM handler run between forward passes.
    const generative = dataset.records.filter((r) => recordText(r).generative)
    const texts = generative.map((r) => recordText(r))
    // Generation reads each prompt with its reference and scores it in the same pass (where it fits)
    const {outputs: generations, nll: scoredInGeneration} = await generateAndScoreYielding(
      model,
      tokenizer,
      texts.map((t) => t.prompt),
      texts.map((t) => t.completion),
      {...options.generation, seed: options.seed},
      (f) => options.onProgress?.(f, 'generate'),
      options.signal,
    )
    // … and scoring takes the rest: text records and references too long for one window.
    const known = new Map(generative.map((r, i) => [r, scoredInGeneration[i]]))
    const rest = dataset.records.filter((r) => !known.get(r))
    const restNll = await scoreRecordsYielding(model, tokenizer, rest, options.generation.batchSize, (f) => options.onProgress?.(f, 'score'), options.signal)
    const byRecord = new Map(rest.map((r, i) => [r, restNll[i]]))
    const nll = dataset.records.map((r) => known.get(r) ?? byRecord.get(r)!)
    return assemble(dataset, generative, generations, nll)
  } finally {
    model.dispose()
  }
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
