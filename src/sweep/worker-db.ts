import {parentAlive} from '../process/lifeline.js'
import {type Store, guardWrites, openStore} from '../store/db.js'

/**
 * A sweep worker's connection to the store: every write first checks that the sweep that started
 * this worker is still alive, so a worker orphaned by kill -9 of the sweep stores nothing, not even
 * an evaluation it had finished computing (the --resume that follows stores its own).
 */
export function openWorkerDb(dbPath: string): Store {
  const db = openStore(dbPath)
  guardWrites(db, parentAlive, 'the sweep that started this worker is gone; nothing was stored')
  return db
}
