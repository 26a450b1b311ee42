import type {DatasetRecord} from '../datasets/types.js'

/**
 * How a dataset record becomes text for the model — one convention for training, scoring and
 * generation:
 * - question→answer (`input` + `reference`): prompt = input, after the record's `context` and a
 *   newline when it has one (grounding text the model reads first); completion = " " + reference +
 *   "\n" (no space when input already ends in whitespace). Loss and NLL cover the completion only.
 * - plain `text`: prompt = "\n" (the record boundary the model saw in training); completion = text.
 */
export interface RecordText {
  prompt: string
  completion: string
  /** true for question→answer records, which also get a generated output */
  generative: boolean
}

export function recordText(record: DatasetRecord): RecordText {
  if (record.input !== undefined && record.reference !== undefined) {
    const sep = /\s$/.test(record.input) || /^\s/.test(record.reference) ? '' : ' '
    return {prompt: withContext(record.context, record.input), completion: `${sep}${record.reference}\n`, generative: true}
  }
  return {prompt: '\n', completion: record.text ?? '', generative: false}
}

/** The prompt of a question→answer record: `context + "\n" + input`, or the input alone without context. */
function withContext(context: string | undefined, input: string): string {
  if (context === undefined || context.trim() === '') return input
  return /\n$/.test(context) ? `${context}${input}` : `${context}\n${input}`
}
