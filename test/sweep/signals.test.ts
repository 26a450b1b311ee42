import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {before, describe, it} from 'node:test'

import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {lrgateAsync, sweepFixture} from '../fixtures/sweep/workplace.js'

function count(db: string, sql: string, ...args: unknown[]): number {
  const d = new Database(db, {readonly: true})
  try {
    return d.prepare(sql).pluck().get(...args) as number
  } finally {
    d.close()
  }
}

async function until(cond: () => boolean, why: () => string = () => '', ms = 180_000): Promise<void> {
  const start = Date.now()
  while (Date.now() - start < ms) {
    try {
      if (cond()) return
    } catch {
      // the database may not exist yet
    }
    await sleep(100)
  }
  throw new Error(`timed out waiting; ${why()}`)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return false
  }
}

function started(cwd: string, args: string[], env: Record<string, string> = {}) {
  const child = lrgateAsync(cwd, args, env)
  let stdout = '', stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const t0 = Date.now()
  const exited = new Promise<{code: number | null; ms: number}>((resolve) => child.on('exit', (code) => resolve({code, ms: Date.now() - t0})))
  return {child, exited, out: () => stdout, err: () => stderr}
}

const STEPS_SQL = 'SELECT count(*) FROM train_steps'
const DISTINCT_SQL = "SELECT count(DISTINCT candidate_id || ':' || step) FROM train_steps"

describe('a sweep under signals, kills and a second owner', () => {
  before(() => buildIfStale())

  it('SIGTERM (CI cancellation) stops like Ctrl-C: checkpoint, run interrupted, resume command, exit 143 within 10 s; --resume loses and repeats nothing', async () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-4, 3e-4], steps: 80, batchSize: 4, parallel: 2, valEvery: 40, checkpointEvery: 10}})
    const sweep = started(cwd, ['sweep', '--db', db])
    await until(() => count(db, STEPS_SQL) >= 20, sweep.err)
    const sent = Date.now()
    sweep.child.kill('SIGTERM')
    const {code} = await sweep.exited
    const took = Date.now() - sent
    assert.equal(code, 143, sweep.err())
    process.stdout.write(`# the sweep exited ${took} ms after SIGTERM\n`)
    assert.ok(took < 10_000, `exited ${took} ms after SIGTERM`)
    assert.match(sweep.err(), /SIGTERM: stopping/)
    assert.match(sweep.err(), /continue it with: lrgate sweep --resume (\d+)/)
    const runId = count(db, 'SELECT max(id) FROM runs')
    assert.equal(count(db, 'SELECT status FROM runs WHERE id = ?', runId) as unknown, 'interrupted')
    // Each candidate stored exactly the steps its checkpoint holds.
    assert.equal(count(db, STEPS_SQL), count(db, 'SELECT sum(steps_done) FROM candidates'))
    assert.ok(count(db, STEPS_SQL) < 160, 'stopped mid-way')
    assert.equal(count(db, "SELECT count(*) FROM candidates WHERE status = 'failed'"), 0, 'a stopped worker is not a failed candidate')
    assert.equal(count(db, "SELECT count(*) FROM candidates WHERE status = 'running'"), 0, 'an interrupted run has no running candidate')

    const resumed = lrgate(['sweep', '--resume', String(runId), '--json', '--db', db], {cwd})
    assert.equal(resumed.status, 0, resumed.stderr)
    assert.match(resumed.stderr, /resuming from the checkpoint after step [1-9]\d*\b/)
    assert.equal(count(db, STEPS_SQL), 160)
    assert.equal(count(db, DISTINCT_SQL), 160)
    assert.equal(count(db, 'SELECT count(*) FROM evaluations WHERE run_id = ?', runId), 3, 'base once, each candidate once')
    assert.equal(count(db, 'SELECT count(*) FROM gates g JOIN candidates c ON c.gate_id = g.id WHERE c.run_id = ?', runId), 2)
    assert.equal(count(db, 'SELECT count(*) FROM gates'), 2, 'one gate decision per candidate')
  })

  it('kill -9 of the sweep while a worker holds just before its store call: no row stored, every worker gone within 2 s', async () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-9], steps: 4, batchSize: 4, parallel: 2, valEvery: 4, checkpointEvery: 2}})
    const hold = join(cwd, 'held-worker.pid')
    const sweep = started(cwd, ['sweep', '--db', db], {LRGATE_TEST_HOLD_AT: 'before-store', LRGATE_TEST_HOLD_FILE: hold, LRGATE_TEST_HOLD_MS: '6000'})
    await until(() => existsSync(hold) && readFileSync(hold, 'utf8').endsWith('\n'), sweep.err)
    const worker = Number(readFileSync(hold, 'utf8'))
    assert.ok(alive(worker), 'the worker is held before its store call')
    const workers = readdirPids(sweep.child.pid!)
    sweep.child.kill('SIGKILL')
    await sweep.exited
    const killed = Date.now()
    while ([worker, ...workers].some(alive) && Date.now() - killed < 5000) await sleep(20)
    const took = Date.now() - killed
    process.stdout.write(`# workers gone ${took} ms after kill -9 of the sweep\n`)
    assert.ok(took < 2000, `workers gone ${took} ms after the sweep died (still alive: ${[worker, ...workers].filter(alive)})`)
    await sleep(500)
    assert.equal(count(db, 'SELECT count(*) FROM evaluations'), 0, 'the held worker stored nothing')
    assert.equal(count(db, 'SELECT count(*) FROM record_scores'), 0)

    // The run is taken over from its dead owner and finishes with one evaluation of each model.
    const runId = count(db, 'SELECT max(id) FROM runs')
    const resumed = lrgate(['sweep', '--resume', String(runId), '--json', '--db', db], {cwd})
    assert.equal(resumed.status, 0, resumed.stderr)
    assert.match(resumed.stderr, new RegExp(`run ${runId}: its owner, pid ${sweep.child.pid} on \\S+, is gone; taking the run over`))
    assert.equal(count(db, 'SELECT count(*) FROM evaluations WHERE run_id = ?', runId), 2)
  })

  it('two --resume of one run at once: one runs it, the other exits 2 at once naming the owner', async () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-9, 1e-4], steps: 40, batchSize: 4, parallel: 2, valEvery: 20, checkpointEvery: 5}})
    const first = started(cwd, ['sweep', '--db', db])
    await until(() => count(db, STEPS_SQL) >= 10, first.err)
    first.child.kill('SIGKILL')
    await first.exited
    const runId = count(db, 'SELECT max(id) FROM runs')
    const a = started(cwd, ['sweep', '--resume', String(runId), '--json', '--db', db])
    const b = started(cwd, ['sweep', '--resume', String(runId), '--json', '--db', db])
    const [ra, rb] = await Promise.all([a.exited, b.exited])
    const [winner, loser] = ra.code === 0 ? [a, b] : [b, a]
    const [won, lost] = ra.code === 0 ? [ra, rb] : [rb, ra]
    assert.deepEqual([ra.code, rb.code].sort(), [0, 2], a.err() + b.err())
    assert.match(loser.err(), new RegExp(`^lrgate: run ${runId} is already being run by pid ${winner.child.pid} on \\S+ \\(since .*lrgate sweep --resume ${runId}`, 'm'))
    process.stdout.write(`# the second --resume exited 2 after ${lost.ms} ms (process start included); the first finished the run after ${won.ms} ms\n`)
    // It does not wait for the lock: it is refused as soon as it gets there (seconds on a loaded machine).
    assert.ok(lost.ms < won.ms / 2, `${lost.ms} ms vs ${won.ms} ms`)
    assert.equal(count(db, 'SELECT count(*) FROM evaluations WHERE run_id = ?', runId), 3, 'base once, each candidate once')
    assert.equal(count(db, 'SELECT count(*) FROM gates'), 2, 'one gate decision per candidate')
    assert.equal(count(db, STEPS_SQL), 80)
    assert.equal(count(db, DISTINCT_SQL), 80)
  })
})

/** Pids of the direct children of `pid` (the sweep's workers). */
function readdirPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}
