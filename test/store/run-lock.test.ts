import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {after, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {InputError} from '../../src/errors.js'
import {openStore} from '../../src/store/db.js'
import {acquireRunLock, runLockPath} from '../../src/store/run-lock.js'
import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'

const HOLDER = fileURLToPath(new URL('../fixtures/store/hold-run-lock.ts', import.meta.url))

const holders: {kill: (s: NodeJS.Signals) => boolean}[] = []
after(() => holders.forEach((p) => p.kill('SIGKILL')))

describe('a run has one live owner (the run lock)', () => {
  it('a second owner is refused at once naming the live one (even after the holder dropped its lock object); a kill -9ed owner is taken over', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'lrgate-lock-')), 'lrgate.db')
    new Database(db).close()
    const holder = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', HOLDER, db], {stdio: ['ignore', 'pipe', 'inherit']})
    holders.push(holder)
    const exited = new Promise((resolve) => holder.once('exit', resolve))
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()))
    await new Promise((r) => setTimeout(r, 500)) // several garbage collections in the holder

    const started = performance.now()
    assert.throws(
      () => acquireRunLock(db, 1),
      (e: Error) => e instanceof InputError && new RegExp(`^run 1 is already being run by pid ${holder.pid} on `).test(e.message),
    )
    const refusedMs = performance.now() - started
    assert.ok(refusedMs < 1000, `refused after ${refusedMs} ms`)
    // Another run of the same database is free.
    acquireRunLock(db, 2).release()

    holder.kill('SIGKILL')
    await exited
    const lock = acquireRunLock(db, 1)
    assert.equal(lock.previous?.pid, holder.pid, 'names the dead owner it took over from')
    lock.release()
    const again = acquireRunLock(db, 1)
    assert.equal(again.previous, null, 'a released run has no previous owner')
    again.release()
  })

  it('sweep --resume of a run the database does not hold exits 2 and leaves no owner file naming a process that is gone', () => {
    buildIfStale()
    const db = join(mkdtempSync(join(tmpdir(), 'lrgate-lock-')), 'lrgate.db')
    openStore(db).close()
    const r = lrgate(['sweep', '--resume', '99', '--db', db], {cwd: dirname(db)})
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /^lrgate: --resume 99: there is no run #99/m)
    const locks = dirname(runLockPath(db, 99))
    assert.deepEqual(existsSync(locks) ? readdirSync(locks).filter((f) => f.endsWith('owner.json')) : [], [])
  })
})
