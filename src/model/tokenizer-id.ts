import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {CharTokenizer} from './tokenizer.js'
import {parseJsonText} from '../util/json-input.js'

/**
 * A short, stable name of a tokenizer: `char:<12 hex of sha256 over its JSON>`. Two models with the
 * same identity count tokens the same way, so their per-token perplexities are the same unit;
 * evaluations store it and the gate refuses perplexity rules across different identities.
 *
 * @example tokenizerIdentity(CharTokenizer.ascii()) // 'char:…'
 */
export function tokenizerIdentity(tokenizer: CharTokenizer): string {
  const json = tokenizer.toJSON()
  return `${json.type}:${createHash('sha256').update(JSON.stringify(json)).digest('hex').slice(0, 12)}`
}

/**
 * The tokenizer identity of a model folder, read from its tokenizer.json alone (no weights, no tfjs).
 * Undefined when the file is missing or not a tokenizer lrgate knows: the full load reports that.
 */
export function modelTokenizerIdentity(dir: string): string | undefined {
  try {
    return tokenizerIdentity(CharTokenizer.fromJSON(parseJsonText(readFileSync(join(dir, 'tokenizer.json'), 'utf8'), dir, 'not a tokenizer')))
  } catch {
    return undefined
  }
}
