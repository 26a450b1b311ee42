import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {openStore, writeTransaction} from '../../src/store/db.js'
import {insertRun} from '../../src/store/runs.js'
import {sql} from '../../src/store/sql.js'

const RUN = {kind: 'sweep', name: null, seed: 1, config: {}, backend: 'cpu', backendReason: 'test', baseModel: 'x', trainDatasetId: null, evalDatasetId: null} as const

/** Two connections to one new store, as two lrgate processes have; `other` gives up on a lock at once. */
function twoConnections() {
  const file = join(mkdtempSync(join(tmpdir(), 'lrgate-store-')), 'lrgate.db')
  const mine = openStore(file)
  const other = openStore(file)
  sql(other).pragma('busy_timeout = 0')
  return {mine, other}
}

describe('store: writers in two processes', () => {
  it('a deferred transaction that reads, then writes after another process wrote, is refused outright (why writeTransaction exists)', () => {
    const {mine, other} = twoConnections()
    sql(mine).pragma('busy_timeout = 30000')
    const deferred = sql(mine).transaction(() => {
      sql(mine).prepare('SELECT count(*) FROM runs').pluck().get()
      insertRun(other, RUN) // another process commits in between
      insertRun(mine, RUN)
    })
    // SQLITE_BUSY at once, whatever the busy timeout: the snapshot it read is stale.
    assert.throws(() => deferred(), /database is locked/)
    mine.close()
    other.close()
  })

  it('writeTransaction holds the write lock from BEGIN: the other writer waits, the read-then-write goes through', () => {
    const {mine, other} = twoConnections()
    const id = writeTransaction(mine, () => {
      const before = sql(mine).prepare('SELECT count(*) FROM runs').pluck().get() as number
      assert.throws(() => insertRun(other, RUN), /database is locked/) // it would wait (busy timeout); here it gives up
      assert.equal(before, 0)
      return insertRun(mine, RUN)
    })
    assert.equal(id, 1)
    assert.equal(insertRun(other, RUN), 2) // after the commit the other process writes as usual
    mine.close()
    other.close()
  })
})
