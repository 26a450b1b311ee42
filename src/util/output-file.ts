import {accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {InputError} from '../errors.js'

/**
 * Refuses, before any work is done or stored, a file path a command was asked to write (a report,
 * --junit, --out) that cannot be written: an existing directory, a parent that is a file, a
 * file or nearest existing folder without write permission. `flag` names it ("--junit").
 *
 * @throws InputError naming the flag and the path, e.g. `--junit reports: is a directory; give a file path.`
 */
export function checkOutputFile(path: string, flag: string): void {
  const file = resolve(path)
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) throw new InputError(`${flag} ${path}: is a directory; give a file path.`)
    ensureWritable(file, `${flag} ${path}: the file is not writable`)
    return
  }
  // the nearest folder that exists must be a folder we may write into (mkdir makes the rest)
  let dir = dirname(file)
  while (!existsSync(dir)) dir = dirname(dir)
  if (!statSync(dir).isDirectory()) throw new InputError(`${flag} ${path}: ${dir} is a file, not a folder.`)
  ensureWritable(dir, `${flag} ${path}: cannot create it in ${dir} (no write permission)`)
}

/**
 * Writes `text` to `path`, creating its folders; a failure is an InputError naming the flag, the
 * path and the system's reason (EISDIR, ENOSPC, EROFS …) instead of a bare system error.
 */
export function writeOutputFile(path: string, text: string, flag: string): void {
  try {
    mkdirSync(dirname(resolve(path)), {recursive: true})
    writeFileSync(path, text)
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    throw new InputError(`${flag} ${path}: could not write it (${e.code ?? 'error'}: ${(e.message ?? String(e)).replace(/^[A-Z]+: /, '').split(',')[0]}).`, {cause: error})
  }
}

function ensureWritable(path: string, message: string): void {
  try {
    accessSync(path, constants.W_OK)
  } catch {
    throw new InputError(`${message}.`)
  }
}
