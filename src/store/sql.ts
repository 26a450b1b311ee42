import type Database from 'better-sqlite3'

/**
 * The SQLite handle behind a Store. Only modules in src/store/ import this file (the layer test in
 * test/architecture/ enforces it): everything else holds a Store and calls the store's functions.
 */
export type Sql = Database.Database

const handles = new WeakMap<object, Sql>()

/** Ties a handle to its Store (called once, by the Store's constructor). */
export function attachSql(store: object, db: Sql): void {
  handles.set(store, db)
}

/** The handle of an open Store; throws when the store was closed. */
export function sql(store: object): Sql {
  const db = handles.get(store)
  if (db === undefined || !db.open) throw new Error('the store is closed')
  return db
}

/** Closes the handle of a Store if it is open (closing twice is harmless). */
export function closeSql(store: object): void {
  handles.get(store)?.close()
}
