import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {modelTokenizerIdentity} from '../model/tokenizer-id.js'

// The files that define a tokenizer in the model folders servers load (Hugging Face layouts).
const TOKENIZER_FILES = [['tokenizer.json'], ['tokenizer.model'], ['vocab.json', 'merges.txt'], ['vocab.txt']] as const

/**
 * The tokenizer identity of a model folder a server (eval.serveCommand) loads, for servers that do
 * not report one (everything but `lrgate serve`): an lrgate folder's own identity (`char:…`), else
 * `files:<12 hex of sha256>` over the first tokenizer file set found (tokenizer.json; tokenizer.model;
 * vocab.json + merges.txt; vocab.txt). Two folders with byte-identical tokenizer files count tokens the
 * same way, so a fine-tune and its base stay comparable in per-token perplexity. Undefined when the
 * folder has none of them.
 */
export function folderTokenizerIdentity(dir: string): string | undefined {
  const own = modelTokenizerIdentity(dir)
  if (own !== undefined) return own
  for (const files of TOKENIZER_FILES) {
    if (!files.every((f) => existsSync(join(dir, f)))) continue
    const hash = createHash('sha256')
    for (const f of files) hash.update(f).update('\0').update(readFileSync(join(dir, f)))
    return `files:${hash.digest('hex').slice(0, 12)}`
  }
  return undefined
}
