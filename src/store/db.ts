import Database from 'better-sqlite3'
import {mkdirSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {DEFAULT_DB} from '../config/defaults.js'
import {InputError} from '../errors.js'
import {MIGRATIONS, SCHEMA_VERSION} from './migrations.js'
import {attachSql, closeSql, type Sql, sql} from './sql.js'

/**
 * An open lrgate database. Callers outside src/store/ hold a Store and pass it to the store's
 * functions (one module per table group); the SQLite handle stays inside src/store/.
 */
export class Store {
  /** the database file (":memory:" for a private in-memory store) */
  readonly file: string

  constructor(db: Sql, file: string) {
    this.file = file
    attachSql(this, db)
  }

  /** Closes the handle; later calls on this store throw. Closing twice is harmless. */
  close(): void {
    closeSql(this)
  }
}

/** The database file: --db, else LRGATE_DB, else .lrgate/lrgate.db under the working directory. */
export function resolveDbPath(flag?: string, cwd = process.cwd()): string {
  return resolve(cwd, flag ?? process.env.LRGATE_DB ?? DEFAULT_DB)
}

/**
 * Opens (creating if needed) the store: WAL so readers never block the writer, a busy timeout
 * so two sweeps can share one file, foreign keys on, and migrations brought up to date.
 * A database written by a newer lrgate is refused and left untouched.
 */
export function openStore(file: string, options: {readonly?: boolean} = {}): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), {recursive: true})
  let db: Sql
  try {
    db = new Database(file, {fileMustExist: options.readonly === true})
  } catch (error) {
    throw new InputError(`${file}: cannot open the database (${(error as Error).message}).`)
  }
  db.pragma('busy_timeout = 30000')
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    migrate(db, file)
  } catch (error) {
    db.close()
    if (error instanceof InputError) throw error
    const code = (error as {code?: string}).code ?? ''
    if (code === 'SQLITE_NOTADB') throw new InputError(`${file}: not an SQLite database; point --db at an lrgate database.`)
    throw error
  }
  return new Store(db, file)
}

function migrate(db: Sql, file: string): void {
  const version = db.pragma('user_version', {simple: true}) as number
  if (version > SCHEMA_VERSION) {
    throw new InputError(
      `${file}: database schema version ${version} is newer than this lrgate understands (${SCHEMA_VERSION}); upgrade lrgate or use another --db.`,
    )
  }
  if (version === SCHEMA_VERSION) return
  // IMMEDIATE takes the write lock first, so two processes never both apply a migration.
  db.transaction(() => {
    const now = db.pragma('user_version', {simple: true}) as number
    for (let v = now; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v])
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}

/** Now as an ISO-8601 string, the format of every timestamp column. */
export function nowIso(): string {
  return new Date().toISOString()
}

/**
 * Runs `fn` in a write transaction that takes the write lock at BEGIN (BEGIN IMMEDIATE). A deferred
 * transaction that reads before it writes cannot wait for the lock: when another process wrote in
 * between, SQLite fails it at once with SQLITE_BUSY and the busy timeout never applies. Nested calls
 * become savepoints of the enclosing transaction.
 */
export function writeTransaction<T>(store: Store, fn: () => T): T {
  return sql(store).transaction(fn).immediate()
}
