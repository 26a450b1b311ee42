/**
 * Storage faults — the disk is full, a file or folder is read-only, a file is not a database —
 * said in one sentence with the path, instead of a stack trace or a guess. Used by the CLI's error
 * handler and by sweep workers (which then leave the run resumable rather than fail a candidate).
 */

type Coded = {code?: string; path?: string}

const FS: Record<string, string> = {
  ENOSPC: 'no space left on the device; free some space (or point --db at another disk) and run the command again',
  EDQUOT: 'the disk quota is exhausted; free some space and run the command again',
  EROFS: 'the file system is read-only; use a writable folder (or copy the database to one)',
  EACCES: 'permission denied (a read-only file or folder); make it writable or use another folder',
  EPERM: 'operation not permitted (a read-only file or folder); make it writable or use another folder',
}

function sqliteSentence(code: string): string | null {
  if (code === 'SQLITE_FULL') return 'no space left on the device holding the database; free some space and run the command again'
  if (code.startsWith('SQLITE_READONLY')) return 'the database is read-only (a read-only file, folder or mount); copy it to a writable folder, or use a read-only command (runs, report)'
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cannot open the database file (its folder is missing, read-only or not accessible)'
  if (code === 'SQLITE_NOTADB') return 'not an SQLite database; point --db at an lrgate database'
  if (code.startsWith('SQLITE_CORRUPT')) return 'the database file is damaged (SQLITE_CORRUPT); restore it from a copy'
  if (code.startsWith('SQLITE_IOERR')) return `the disk refused a read or write (${code}: full, read-only or failing); check the device and run the command again`
  return null
}

/**
 * One sentence for `error` when it is a storage fault, naming the file it concerns (the error's own
 * path, else `path`, usually the database); null for any other error.
 *
 * @example describeStorageFault(sqliteFullError, '/ci/lrgate.db') // '/ci/lrgate.db: no space left on the device holding the database; …'
 */
export function describeStorageFault(error: unknown, path: string): string | null {
  const {code = '', path: own} = (error ?? {}) as Coded
  const sentence = FS[code] ?? sqliteSentence(code)
  return sentence === null ? null : `${own ?? path}: ${sentence}.`
}

/** Whether the store can no longer be written (full, read-only): reading may still work. */
export function isWriteRefused(error: unknown): boolean {
  const {cause} = (error ?? {}) as {cause?: unknown}
  if (cause !== undefined && isWriteRefused(cause)) return true
  const {code = ''} = (error ?? {}) as Coded
  return ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'SQLITE_FULL'].includes(code) || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')
}
