import Database from 'better-sqlite3'
import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {DEFAULT_DB} from '../config/defaults.js'
import {InputError} from '../errors.js'
import {MIGRATIONS, SCHEMA_VERSION} from './migrations.js'
import {attachSql, closeSql, type Sql, sql} from './sql.js'
import {describeStorageFault} from './storage-fault.js'

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
    throw new InputError(describeStorageFault(error, file) ?? `${file}: cannot open the database (${(error as Error).message}).`, {cause: error})
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

/**
 * openStore for a command that works on what earlier commands stored (check, baseline promote,
 * runs prune): a database that does not exist is an InputError, and nothing is created.
 */
export function openExistingStore(file: string): Store {
  if (!existsSync(file)) throw noDatabaseThere(file)
  return openStore(file)
}

function noDatabaseThere(file: string): InputError {
  return new InputError(`${file}: no database there (nothing recorded yet, or a mistyped --db / LRGATE_DB).`)
}

/**
 * Opens an existing store for reading only: never creates the file or its folder, never writes
 * (no migration, no journal-mode change), and works where the operating system refuses writes (a
 * read-only mount, a database downloaded into a CI workspace). A missing file is an InputError.
 * Where SQLite cannot open the file in place (a WAL database whose -shm cannot be created in a
 * read-only folder) or its schema is older than this lrgate's, the file is read into memory and
 * brought up to date there; the file itself is never touched.
 */
export function openDbReadOnly(file: string): Store {
  if (!existsSync(file)) throw noDatabaseThere(file)
  let db: Sql | undefined
  try {
    db = new Database(file, {readonly: true, fileMustExist: true})
    db.pragma('busy_timeout = 30000')
    const version = db.pragma('user_version', {simple: true}) as number
    if (version > SCHEMA_VERSION) migrate(db, file)
    if (version === SCHEMA_VERSION) return new Store(db, file)
    db.close()
  } catch (error) {
    db?.close()
    if (error instanceof InputError) throw error
    const code = (error as {code?: string}).code ?? ''
    if (code === 'SQLITE_NOTADB') throw new InputError(`${file}: not an SQLite database; point --db at an lrgate database.`)
    if (code !== 'SQLITE_CANTOPEN' && !code.startsWith('SQLITE_READONLY')) throw error
  }
  const bytes = readFileSync(file)
  // A WAL database (header bytes 18-19 = 2) read from memory is read as a rollback-journal one.
  if (bytes.length >= 20 && bytes[18] === 2) bytes[18] = bytes[19] = 1
  const memory = new Database(bytes)
  try {
    memory.pragma('foreign_keys = ON')
    migrate(memory, file)
    const readOnly = new Database(memory.serialize(), {readonly: true})
    memory.close()
    return new Store(readOnly, file)
  } catch (error) {
    memory.close()
    if ((error as {code?: string}).code === 'SQLITE_NOTADB') throw new InputError(`${file}: not an SQLite database; point --db at an lrgate database.`)
    throw error
  }
}

function migrate(db: Sql, file: string): void {
  const version = db.pragma('user_version', {simple: true}) as number
  if (version > SCHEMA_VERSION) {
    throw new InputError(
      `${file}: database schema version ${version} is newer than this lrgate understands (${SCHEMA_VERSION}); upgrade lrgate or use another --db.`,
    )
  }
  if (version === SCHEMA_VERSION) return
  // Foreign keys are off while migrations run (SQLite's procedure for rebuilding a table: a DROP TABLE
  // with them on would cascade its deletes); they are checked before the commit and turned back on.
  const foreignKeys = db.pragma('foreign_keys', {simple: true}) as number
  db.pragma('foreign_keys = OFF')
  try {
    // IMMEDIATE takes the write lock first, so two processes never both apply a migration.
    db.transaction(() => {
      const now = db.pragma('user_version', {simple: true}) as number
      const before = now === 0 ? 0 : (db.pragma('foreign_key_check') as unknown[]).length
      for (let v = now; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v])
      const broken = db.pragma('foreign_key_check') as unknown[]
      if (broken.length > before) throw new Error(`${file}: migrating to schema ${SCHEMA_VERSION} would break ${broken.length - before} foreign key(s): ${JSON.stringify(broken[0])}`)
      db.pragma(`user_version = ${SCHEMA_VERSION}`)
    }).immediate()
  } finally {
    if (foreignKeys === 1) db.pragma('foreign_keys = ON')
  }
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

/**
 * Makes every write through this connection (insert, update, delete on any table of the store)
 * first call `alive()`, inside the statement: when it returns false the statement fails with
 * `why` and its transaction rolls back, so nothing lands. Sweep workers pass `parentAlive`, so a
 * worker whose sweep was killed cannot store a row, however far its computation had got. The
 * guard lives in TEMP triggers of this connection only; other connections are unaffected.
 */
export function guardWrites(store: Store, alive: () => boolean, why: string): void {
  const db = sql(store)
  db.function('lrgate_writer_alive', {deterministic: false}, () => {
    if (!alive()) throw new Error(why)
    return 1
  })
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]
  for (const table of tables) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS "lrgate_guard_${op}_${table}" BEFORE ${op} ON main."${table}" BEGIN SELECT lrgate_writer_alive(); END`)
    }
  }
}

/** How long (ms) this store's next statements wait for another writer before SQLITE_BUSY. */
export function setBusyTimeout(store: Store, ms: number): void {
  sql(store).pragma(`busy_timeout = ${Math.max(0, Math.round(ms))}`)
}
