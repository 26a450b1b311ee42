import {createHash} from 'node:crypto'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {z} from 'zod'

import {InputError} from '../errors.js'

/**
 * `checksums.json` in every folder lrgate writes (a model, a checkpoint): the sha256 of each of its
 * files, written last, checked on load. `{"algorithm": "sha256", "files": {"weights.bin": "<hex>", …}}`
 * with paths relative to the folder. A checkpoint's model/ subfolder carries its own.
 */
export const CHECKSUMS_FILE = 'checksums.json'

const checksumsSchema = z.object({algorithm: z.literal('sha256'), files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/))})

/** sha256 of a file's bytes, lower-case hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

/** Writes `dir/checksums.json` listing the sha256 of each of `files` (relative to `dir`). */
export function writeChecksums(dir: string, files: readonly string[]): void {
  const listed = Object.fromEntries([...files].sort().map((f) => [f, sha256File(join(dir, f))]))
  writeFileSync(join(dir, CHECKSUMS_FILE), JSON.stringify({algorithm: 'sha256', files: listed}, null, 2) + '\n')
}

const warned = new Set<string>()

/**
 * Checks every file `dir/checksums.json` lists against its sha256. A missing or changed file is an
 * InputError (exit 2) naming it and saying `remedy`. A folder without checksums.json (written by
 * another tool, or by an lrgate before checksums) loads with one warning line per folder and
 * process, through `warn` (default: stderr). Returns whether the folder was verified.
 */
export function verifyChecksums(dir: string, remedy: string, warn: (line: string) => void = (l) => process.stderr.write(l + '\n')): boolean {
  const listPath = join(dir, CHECKSUMS_FILE)
  if (!existsSync(listPath)) {
    if (!warned.has(dir)) warn(`lrgate: warning: ${dir} has no ${CHECKSUMS_FILE}; loading it unverified.`)
    warned.add(dir)
    return false
  }
  let list: z.infer<typeof checksumsSchema>
  try {
    list = checksumsSchema.parse(JSON.parse(readFileSync(listPath, 'utf8')))
  } catch (error) {
    throw new InputError(`${listPath}: unreadable (${(error as Error).message.split('\n')[0]}); ${remedy}`)
  }
  for (const [file, expected] of Object.entries(list.files)) {
    const path = join(dir, file)
    if (file.includes('..') || file.startsWith('/')) throw new InputError(`${listPath}: lists "${file}", which is outside the folder; ${remedy}`)
    if (!existsSync(path)) throw new InputError(`${path}: missing (listed in ${CHECKSUMS_FILE}); ${remedy}`)
    if (sha256File(path) !== expected) {
      throw new InputError(`${path}: sha256 does not match ${CHECKSUMS_FILE} (the file changed after lrgate wrote it: a disk or copy error, or an edit); ${remedy}`)
    }
  }
  return true
}
