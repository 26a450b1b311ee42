import {z} from 'zod'

import {formatPath, InputError} from '../errors.js'
import {jsonLines, readTextInput} from '../util/json-input.js'
import {inert} from '../util/inert.js'
import type {RecordOutput} from './model-outputs.js'

/** One line of an outputs file: `{"id", "output"?, "nll"?, "tokens"?}` (null counts as absent). */
export const outputLineSchema = z
  .object({
    id: z.string().min(1),
    output: z.string().nullish(),
    nll: z.number().finite().nonnegative().nullish(),
    tokens: z.number().int().positive().nullish(),
    meta: z.record(z.string(), z.unknown()).nullish(),
  })
  .strict()
  .refine((l) => (l.nll == null) === (l.tokens == null), {
    message: 'give "nll" and "tokens" together (perplexity needs both) or neither',
    path: ['tokens'],
  })

/** The line of each output parsed from a file, for errors found after parsing (an id the dataset lacks). */
const lineOfOutput = new WeakMap<RecordOutput, number>()

/** The line of the outputs file an output was read from, or undefined when it did not come from a file. */
export function outputLine(output: RecordOutput): number | undefined {
  return lineOfOutput.get(output)
}

/**
 * Parses outputs JSONL text (through the shared JSONL reader: BOM and CRLF accepted). Blank lines are skipped; any other bad line is an InputError naming
 * `file:line: field "x"`, as is an id given twice.
 *
 * @example parseOutputsText('{"id":"a","output":"hi"}\n', 'out.jsonl') // [{id: 'a', output: 'hi'}]
 */
export function parseOutputsText(text: string, file: string): RecordOutput[] {
  const out: RecordOutput[] = []
  const lineOfId = new Map<string, number>()
  for (const {line, value} of jsonLines(text, file, 'write one JSON object per line')) {
    const parsed = outputLineSchema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      let path = issue.path
      let message = issue.message
      if (issue.code === 'unrecognized_keys') {
        path = [issue.keys[0]]
        message = `unknown key; an outputs line holds id, output, nll, tokens (and meta)`
      }
      const field = path.length > 0 ? ` field "${formatPath(path)}":` : ''
      throw new InputError(`${file}:${line}:${field} ${message}; fix the outputs file.`)
    }
    const {id, output, nll, tokens} = parsed.data
    const earlier = lineOfId.get(id)
    if (earlier !== undefined) throw new InputError(`${file}:${line}: field "id": "${inert(id)}" already appears on line ${earlier}; give each record one line.`)
    lineOfId.set(id, line)
    const record: RecordOutput = {id, ...(output == null ? {} : {output}), ...(nll == null ? {} : {nll}), ...(tokens == null ? {} : {tokens})}
    lineOfOutput.set(record, line)
    out.push(record)
  }
  return out
}

/** Reads and parses an outputs file; `shownAs` is the name errors use (the path as the user typed it). */
export function readOutputsFile(path: string, shownAs = path): RecordOutput[] {
  return parseOutputsText(readTextInput(path, shownAs, 'the outputs file', 'check --outputs'), shownAs)
}
