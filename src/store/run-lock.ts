import Database from 'better-sqlite3'
import {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {basename, dirname, join} from 'node:path'

import {InputError} from '../errors.js'

/** Who holds a run: enough to find the process (host, pid) and to tell a reused pid apart (boot, start time). */
export interface RunOwner {
  pid: number
  host: string
  /** /proc/sys/kernel/random/boot_id: pids repeat across boots */
  bootId: string | null
  /** field 22 of /proc/<pid>/stat (clock ticks since boot): pids repeat within a boot */
  startTicks: string | null
  /** ISO-8601 time the owner took the run */
  since: string
  command: string
}

export interface RunLock {
  readonly file: string
  /** The owner before this one, when it died holding the run (this process took it over). */
  readonly previous: RunOwner | null
  /** Releases the run (also released by the kernel when this process dies, kill -9 included). */
  release(): void
}

/** `<db folder>/locks/<db file>.run-<id>.lock`: beside the database, one per run, never deleted. */
export function runLockPath(dbPath: string, runId: number): string {
  return join(dirname(dbPath), 'locks', `${basename(dbPath)}.run-${runId}.lock`)
}

// Held locks stay referenced here until released: a dropped RunLock must not let the garbage
// collector close its connection, which would release the kernel lock while its owner lives.
const held = new Set<Database.Database>()

const ownerPath = (lockFile: string): string => lockFile.replace(/\.lock$/, '.owner.json')

function readOwner(lockFile: string): RunOwner | null {
  try {
    return JSON.parse(readFileSync(ownerPath(lockFile), 'utf8')) as RunOwner
  } catch {
    return null
  }
}

function procField(read: () => string): string | null {
  try {
    return read()
  } catch {
    return null
  }
}

function me(): RunOwner {
  return {
    pid: process.pid,
    host: hostname(),
    bootId: procField(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    // The command name in field 2 may hold spaces and parentheses: count fields after the last ')'.
    startTicks: procField(() => readFileSync('/proc/self/stat', 'utf8').split(')').pop()!.trim().split(' ')[19]),
    since: new Date().toISOString(),
    command: `lrgate ${process.argv.slice(2).join(' ')}`,
  }
}

/** One sentence naming who holds the run. */
export function describeOwner(o: RunOwner | null): string {
  return o ? `pid ${o.pid} on ${o.host} (since ${o.since}: ${o.command})` : 'another process (it has not written its name yet)'
}

/**
 * Makes this process the one live owner of run `runId` of the database at `dbPath`, or fails at
 * once with exit 2 naming the live owner. The lock is an exclusive SQLite (POSIX fcntl) lock on a
 * small file beside the database: the kernel releases it when its holder dies, whatever the
 * signal, so a dead owner's run is taken over (`previous` names it) and a reused pid or a second
 * container on the same volume cannot fake a live owner. Who holds it is written beside the lock,
 * in `<lock>.owner.json`, for the message.
 */
export function acquireRunLock(dbPath: string, runId: number): RunLock {
  const file = runLockPath(dbPath, runId)
  mkdirSync(dirname(file), {recursive: true})
  const db = new Database(file, {timeout: 0})
  try {
    // No journal file: the lock file never holds data, it is only locked.
    db.pragma('journal_mode = MEMORY')
    db.exec('BEGIN EXCLUSIVE')
  } catch (error) {
    db.close()
    if ((error as {code?: string}).code?.startsWith('SQLITE_BUSY')) {
      throw new InputError(`run ${runId} is already being run by ${describeOwner(readOwner(file))}; wait for it to finish or stop that process, then --resume again.`)
    }
    throw error
  }
  const previous = readOwner(file)
  const tmp = `${ownerPath(file)}.tmp-${process.pid}`
  writeFileSync(tmp, JSON.stringify(me(), null, 2) + '\n')
  renameSync(tmp, ownerPath(file))
  held.add(db)
  return {
    file,
    previous: previous && previous.pid !== process.pid ? previous : null,
    release() {
      if (!held.delete(db)) return
      rmSync(ownerPath(file), {force: true})
      db.exec('ROLLBACK')
      db.close()
    },
  }
}
