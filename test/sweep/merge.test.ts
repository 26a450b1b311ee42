import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {copyFileSync, existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {lrgateAsync, sweepFixture, queryDb as query} from '../fixtures/sweep/workplace.js'

const TABLES = ['datasets', 'runs', 'candidates', 'train_steps', 'rungs', 'evaluations', 'record_outputs', 'record_scores', 'cohort_metrics', 'gates', 'gate_results', 'promotions', 'merged_runs']

/** Every row of every table: what "DEST unchanged" compares. */
function dump(db: string): string {
  const d = new Database(db, {readonly: true})
  try {
    return JSON.stringify(TABLES.map((t) => d.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()))
  } finally {
    d.close()
  }
}


/** A sweep's candidates by label: status, verdict and every cohort metric of its evaluation. */
function candidatesOf(db: string, name: string) {
  const rows = query<{label: string; status: string; verdict: string | null; evaluationId: number | null}>(
    db, `SELECT c.label, c.status, c.verdict, c.evaluation_id AS evaluationId FROM candidates c JOIN runs r ON r.id = c.run_id WHERE r.name = ? ORDER BY c.label`, name)
  return rows.map((c) => ({
    label: c.label, status: c.status, verdict: c.verdict,
    metrics: c.evaluationId === null ? [] : query(db, 'SELECT cohort, metric, value, ci_low, ci_high, n FROM cohort_metrics WHERE evaluation_id = ? ORDER BY cohort, metric', c.evaluationId),
    gate: query(db, `SELECT g.rule, g.cohort, g.delta, g.ci_low, g.ci_high, g.status FROM gate_results g JOIN candidates c ON c.gate_id = g.gate_id JOIN runs r ON r.id = c.run_id WHERE r.name = ? AND c.label = ? ORDER BY g.position`, name, c.label),
  }))
}

function finished(child: ReturnType<typeof lrgateAsync>): Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({code, signal, stdout, stderr})))
}

async function waitForFile(file: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms
  while (!existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
    if (Date.now() > until) throw new Error(`${file} never appeared`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const GRID = {sweep: {lrs: [1e-9, 1e-4, 1e-3, 3e-3], steps: 6, batchSize: 4, parallel: 2, valEvery: 3, checkpointEvery: 3}}

describe('sweep --shard and lrgate merge', () => {
  before(() => buildIfStale())

  it('a 4-candidate sweep as 2 shards in separate processes, merged, equals the unsharded sweep; merging again adds nothing; a bad shard is refused with DEST untouched; kill -9 and SIGTERM leave DEST as it was', async () => {
    const {cwd} = sweepFixture(GRID)
    const full = join(cwd, 'full.db'), s0 = join(cwd, 's0', 'lrgate.db'), s1 = join(cwd, 's1', 'lrgate.db'), dest = join(cwd, 'merged.db')
    const one = lrgate(['sweep', '--json', '--name', 'grid', '--db', full], {cwd})
    assert.equal(one.status, 0, one.stderr)
    // Two shards, two processes, at once; the second reads its index from the environment (as an array task does).
    const [a, b] = await Promise.all([
      finished(lrgateAsync(cwd, ['sweep', '--json', '--name', 'grid', '--shard', '0/2', '--db', s0])),
      finished(lrgateAsync(cwd, ['sweep', '--json', '--name', 'grid', '--shard', 'auto/2', '--db', s1], {LRGATE_SHARD_INDEX: '1'})),
    ])
    assert.equal(a.code, 0, a.stderr)
    assert.equal(b.code, 0, b.stderr)
    assert.deepEqual((JSON.parse(a.stdout) as {candidates: Array<{label: string}>}).candidates.map((c) => c.label), ['lr-1e-9', 'lr-1e-3'])
    assert.deepEqual((JSON.parse(b.stdout) as {candidates: Array<{label: string}>}).candidates.map((c) => c.label), ['lr-1e-4', 'lr-3e-3'])
    const hashes = [full, s0, s1].map((db) => query<{uid: string; plan_hash: string; shard: string | null}>(db, 'SELECT uid, plan_hash, shard FROM runs')[0])
    assert.equal(new Set(hashes.map((h) => h.plan_hash)).size, 1, 'one plan hash for the sweep and its shards')
    assert.equal(new Set(hashes.map((h) => h.uid)).size, 3, 'every run has its own id')
    assert.deepEqual(hashes.map((h) => h.shard), [null, '0/2', '1/2'])

    // Merge the first shard, then kill -9 the merge of the second inside its transaction: DEST as it was.
    assert.equal(lrgate(['merge', s0, '--into', dest], {cwd}).status, 0)
    const afterFirst = dump(dest)
    const holdFile = join(cwd, 'hold.pid')
    const held = lrgateAsync(cwd, ['merge', s1, '--into', dest], {LRGATE_TEST_HOLD_AT: 'merge-in-transaction', LRGATE_TEST_HOLD_FILE: holdFile, LRGATE_TEST_HOLD_MS: '20000'})
    const killed = finished(held)
    await waitForFile(holdFile)
    held.kill('SIGKILL')
    assert.equal((await killed).signal, 'SIGKILL')
    assert.equal(dump(dest), afterFirst, 'kill -9 during the merge leaves DEST as it was')
    // SIGTERM before the transaction: exit 143, nothing merged.
    const termFile = join(cwd, 'term.pid')
    const termed = lrgateAsync(cwd, ['merge', s1, '--into', dest], {LRGATE_TEST_HOLD_AT: 'merge-before-transaction', LRGATE_TEST_HOLD_FILE: termFile, LRGATE_TEST_HOLD_MS: '3000'})
    const stopped = finished(termed)
    await waitForFile(termFile)
    termed.kill('SIGTERM')
    const term = await stopped
    assert.equal(term.code, 143, term.stderr)
    assert.match(term.stderr, /nothing was merged/)
    assert.equal(dump(dest), afterFirst, 'SIGTERM before the transaction leaves DEST as it was')

    const merged = lrgate(['merge', s0, s1, '--into', dest, '--json'], {cwd})
    assert.equal(merged.status, 0, merged.stderr)
    const out = JSON.parse(merged.stdout) as {sweeps: Array<{name: string; status: string; recommended: string | null; shards: string[]}>; skipped: unknown[]}
    assert.equal(out.skipped.length, 1, 'the first shard was merged before: skipped')
    assert.equal(out.sweeps[0].status, 'completed')
    assert.deepEqual(out.sweeps[0].shards, ['0/2', '1/2'])
    // One run, all candidates, one base evaluation; same verdicts, recommendation and (same thread count) bit-identical metrics and gate rows.
    assert.equal(query(dest, "SELECT id FROM runs WHERE kind = 'sweep'").length, 1)
    assert.equal(query(dest, "SELECT id FROM evaluations WHERE label = 'grid/base'").length, 1)
    assert.deepEqual(candidatesOf(dest, 'grid'), candidatesOf(full, 'grid'))
    const rec = (db: string) => query<{label: string}>(db, 'SELECT c.label FROM runs r JOIN candidates c ON c.id = r.recommended_candidate_id')[0]?.label
    assert.equal(rec(dest), rec(full))
    assert.equal(out.sweeps[0].recommended, rec(full))

    // Idempotent: the same shards again add nothing.
    const before2 = dump(dest)
    const again = lrgate(['merge', s0, s1, '--into', dest, '--json'], {cwd})
    assert.equal(again.status, 0, again.stderr)
    assert.equal((JSON.parse(again.stdout) as {skipped: unknown[]}).skipped.length, 2)
    assert.equal(dump(dest), before2)

    // After merging, check and runs show behave as for a one-machine sweep.
    const check = lrgate(['check', '--candidate', 'recommended', '--baseline', 'base', '--db', dest], {cwd})
    assert.equal(check.status, 0, check.stdout + check.stderr)
    const show = lrgate(['runs', 'show', '1', '--json', '--db', dest], {cwd})
    assert.equal((JSON.parse(show.stdout) as {candidates: unknown[]}).candidates.length, 4)

    // A shard of another plan under the same name, and a database from a newer lrgate: exit 2, DEST untouched.
    const odd = join(cwd, 'odd', 'lrgate.db')
    const oddRun = lrgate(['sweep', '--name', 'grid', '--shard', '1/2', '--lr', '1e-9,3e-3', '--steps', '2', '--db', odd], {cwd})
    assert.equal(oddRun.status, 0, oddRun.stderr)
    const fresh = join(cwd, 'fresh.db')
    assert.equal(lrgate(['merge', s0, '--into', fresh], {cwd}).status, 0)
    const untouched = dump(fresh)
    const refused = lrgate(['merge', odd, '--into', fresh], {cwd})
    assert.equal(refused.status, 2, refused.stderr)
    assert.match(refused.stderr, /plan hash .* they are different sweeps/)
    assert.equal(dump(fresh), untouched)
    const newer = join(cwd, 'newer.db')
    copyFileSync(s1, newer)
    const n = new Database(newer)
    n.pragma('user_version = 999')
    n.close()
    const tooNew = lrgate(['merge', newer, '--into', fresh], {cwd})
    assert.equal(tooNew.status, 2)
    assert.match(tooNew.stderr, /newer than this lrgate/)
    assert.equal(dump(fresh), untouched)
    // --copy-artifacts: the merged rows point at the copies.
    const copied = join(cwd, 'copied.db')
    assert.equal(lrgate(['merge', s0, s1, '--into', copied, '--copy-artifacts', 'artifacts'], {cwd}).status, 0)
    const dirs = query<{artifact_dir: string}>(copied, "SELECT artifact_dir FROM candidates WHERE status = 'completed'")
    assert.ok(dirs.length > 0 && dirs.every((d) => d.artifact_dir.startsWith(join(cwd, 'artifacts')) && existsSync(join(d.artifact_dir, 'config.json'))), JSON.stringify(dirs))
    assert.ok(readdirSync(join(cwd, 'artifacts', 'grid')).length === 2)
  })

  it('gate.baseline promoted: merge re-gates every candidate against the destination\'s promoted model; shard gates stay as history', () => {
    const {cwd} = sweepFixture({gate: {baseline: 'promoted', resamples: 200}, sweep: {lrs: [1e-9, 3e-3], steps: 2, batchSize: 4, parallel: 1}})
    const s0 = join(cwd, 's0.db'), s1 = join(cwd, 's1.db'), dest = join(cwd, 'dest.db')
    for (const [i, db] of [s0, s1].entries()) {
      const r = lrgate(['sweep', '--name', 'weekly', '--shard', `${i}/2`, '--db', db], {cwd})
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stderr, /nothing is promoted yet/)
    }
    // The destination's promoted model: the example scored on the same eval data.
    assert.equal(lrgate(['eval', '--model', 'example', '--dataset', 'tiny-eval@1', '--label', 'prod', '--db', dest], {cwd}).status, 0)
    assert.equal(lrgate(['baseline', 'promote', 'prod', '--db', dest], {cwd}).status, 0)
    const prod = query<{id: number}>(dest, "SELECT id FROM evaluations WHERE label = 'prod'")[0].id
    const merged = lrgate(['merge', s0, s1, '--into', dest], {cwd})
    assert.equal(merged.status, 0, merged.stderr)
    const current = query<{baseline: number}>(dest, 'SELECT g.baseline_evaluation_id AS baseline FROM candidates c JOIN gates g ON g.id = c.gate_id')
    assert.equal(current.length, 2)
    assert.ok(current.every((g) => g.baseline === prod), 'each candidate\'s verdict is against the promoted model')
    assert.equal(query(dest, 'SELECT id FROM gates').length, 4, 'two shard gates (history) and two new ones')
  })
})
