import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'

/** sha256 (lowercase hex) of a file's bytes, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * The identity of a dataset version: sha256 over the sorted lines `<file>:<sha256>\n` of its
 * manifest's `files`. Renaming, adding or changing any file changes it.
 *
 * @example datasetHash({'eval.jsonl': 'ab…'}) // sha256("eval.jsonl:ab…\n")
 */
export function datasetHash(files: Record<string, string>): string {
  const lines = Object.entries(files)
    .map(([file, sha]) => `${file}:${sha}\n`)
    .sort()
  return createHash('sha256').update(lines.join('')).digest('hex')
}
