import {readFileSync} from 'node:fs'

import {InputError} from '../errors.js'

/**
 * The one reader of every JSON and JSONL input lrgate takes (datasets, manifests, outputs files,
 * JSON schemas, JSON configs): UTF-8, a leading byte-order mark (U+FEFF, written by Windows editors
 * and PowerShell) dropped, CRLF line ends accepted, and errors as InputErrors naming file and line.
 */

/** Text without a leading byte-order mark. @example stripBom('\uFEFF{}') // '{}' */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/**
 * Reads a text input as UTF-8 without its byte-order mark. An unreadable file is an InputError
 * `${shown}: cannot read <what> (ENOENT); <hint>`.
 */
export function readTextInput(path: string, shown: string, what: string, hint: string): string {
  try {
    return stripBom(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new InputError(`${shown}: cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${hint}.`)
  }
}

/**
 * Parses JSON text (a byte-order mark is dropped). Invalid JSON is an InputError
 * `${where}: not valid JSON (<parser message>); <hint>`.
 *
 * @example parseJsonText('\uFEFF{"a": 1}', 'x.json', 'fix the file') // {a: 1}
 */
export function parseJsonText(text: string, where: string, hint: string): unknown {
  try {
    return JSON.parse(stripBom(text))
  } catch (error) {
    throw new InputError(`${where}: not valid JSON (${(error as Error).message}); ${hint}.`)
  }
}

/** Reads and parses a JSON file (see readTextInput and parseJsonText). */
export function readJsonFile(path: string, shown: string, what: string, hint: string): unknown {
  return parseJsonText(readTextInput(path, shown, what, hint), shown, hint)
}

/** One non-blank line of a JSONL text: its 1-based number and parsed value. */
export interface JsonLine {
  line: number
  value: unknown
}

/**
 * The non-blank lines of JSONL text, parsed (blank lines still count for line numbers; a
 * byte-order mark at the start and CR before LF are dropped). A bad line is an InputError
 * `${file}:${line}: not valid JSON (<parser message>); <hint>`.
 *
 * @example [...jsonLines('\uFEFF{"id":"a"}\r\n\n{"id":"b"}', 'o.jsonl', 'fix it')] // [{line: 1, …}, {line: 3, …}]
 */
export function* jsonLines(text: string, file: string, hint: string): Generator<JsonLine> {
  const lines = stripBom(text).split('\n')
  for (const [i, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') continue
    yield {line: i + 1, value: parseJsonText(line, `${file}:${i + 1}`, hint)}
  }
}
