import {createHash} from 'node:crypto'

import type {CharTokenizer} from './tokenizer.js'

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
