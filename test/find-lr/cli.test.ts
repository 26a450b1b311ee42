import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {openStore} from '../../src/store/db.js'
import {buildIfStale, lrgate, ROOT} from '../fixtures/eval/cli.js'
import {sql} from '../../src/store/sql.js'

const weightsHash = () => createHash('sha256').update(readFileSync(join(ROOT, 'models', 'example-base', 'weights.bin'))).digest('hex')
// A short ramp on the shipped example: small batches keep it to a few seconds.
const SHORT = ['--num-it', '24', '--batch-size', '4', '--start-lr', '1e-6', '--end-lr', '100', '--seed', '3']

describe('lrgate find-lr (CLI, shipped example)', () => {
  let cwd: string
  before(() => {
    buildIfStale()
    cwd = mkdtempSync(join(tmpdir(), 'lrgate-find-lr-'))
  })

  it('--json: the curve, the suggestions and the sweep list; the run and its steps are stored; the base model is untouched', () => {
    const weights = weightsHash()
    const r = lrgate(['find-lr', ...SHORT, '--json', '--db', 'f.db'], {cwd})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {
      runId: number
      stoppedBecause: string | null
      suggestions: Record<'valley' | 'steep' | 'minimum', {lr: number; loss: number; index: number} | null>
      anchor: string | null
      candidates: number[]
      points: {lr: number; loss: number; smoothed: number}[]
    }
    assert.deepEqual(Object.keys(out), ['schemaVersion', 'runId', 'stoppedBecause', 'suggestions', 'anchor', 'candidates', 'points'])
    assert.ok(out.points.length > 5 && out.points.length <= 24)
    assert.ok(Math.abs(out.points[0].lr - 1e-6) < 1e-18)
    // Towards lr 100 a pretrained model's loss explodes: the test stops before the end of the ramp.
    assert.match(out.stoppedBecause ?? '', /passed 4x its best|stopped being finite/)
    assert.ok(out.anchor !== null && out.suggestions.minimum !== null)
    assert.equal(out.candidates.length, 4)
    for (const lr of out.candidates) assert.match(lr.toExponential(), /^[13]e-\d+$/)
    assert.match(r.stderr, /backend: /)
    assert.equal(weightsHash(), weights, 'the base model on disk is never written')

    const db = openStore(join(cwd, 'f.db'))
    const run = sql(db).prepare('SELECT kind, status, seed FROM runs WHERE id = ?').get(out.runId)
    assert.deepEqual(run, {kind: 'find-lr', status: 'completed', seed: 3})
    const losses = sql(db).prepare('SELECT s.loss FROM train_steps s JOIN candidates c ON c.id = s.candidate_id WHERE c.run_id = ? ORDER BY s.step').pluck().all(out.runId)
    assert.deepEqual(losses, out.points.map((p) => p.loss))
    db.close()

    // runs show recomputes the same suggestions from the stored curve.
    const shown = lrgate(['runs', 'show', String(out.runId), '--json', '--db', 'f.db'], {cwd})
    assert.equal(shown.status, 0, shown.stderr)
    const stored = (JSON.parse(shown.stdout) as {rangeTest: {suggestions: unknown; candidates: number[]}}).rangeTest
    assert.deepEqual(stored, {suggestions: out.suggestions, anchor: out.anchor, candidates: out.candidates})
  })

  it('--candidates prints only the list lrgate sweep --lr takes, and the same list for the same seed', () => {
    const r = lrgate(['find-lr', ...SHORT, '--candidates', '--count', '3', '--db', 'f.db'], {cwd})
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /^[13]e-\d+,[13]e-\d+,[13]e-\d+\n$/)
    const json = JSON.parse(lrgate(['find-lr', ...SHORT, '--count', '3', '--json', '--db', 'f.db'], {cwd}).stdout) as {candidates: number[]}
    assert.equal(r.stdout.trim(), json.candidates.map((lr) => lr.toExponential().replace('e+', 'e')).join(','))
  })

  it('a ramp from 10 whose loss only rose: --candidates exits 2 with no list, --json reports no suggestion', () => {
    const high = ['--num-it', '16', '--batch-size', '4', '--start-lr', '10', '--end-lr', '1000', '--seed', '3']
    const r = lrgate(['find-lr', ...high, '--candidates', '--db', 'f.db'], {cwd})
    assert.equal(r.status, 2, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /loss never fell/)
    // The test itself ran: its run is stored as completed, with no suggestion (runs show says so).
    const runId = Number(/run (\d+) \(stored as completed, with no suggestion\)/.exec(r.stderr)?.[1])
    const db = openStore(join(cwd, 'f.db'))
    assert.equal(sql(db).prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId), 'completed')
    db.close()
    const j = lrgate(['find-lr', ...high, '--json', '--db', 'f.db'], {cwd})
    assert.equal(j.status, 0, j.stderr)
    const out = JSON.parse(j.stdout) as {suggestions: Record<string, unknown>; anchor: unknown; candidates: number[]}
    assert.deepEqual(out.suggestions, {valley: null, steep: null, minimum: null})
    assert.equal(out.anchor, null)
    assert.deepEqual(out.candidates, [])
  })

  it('the human output has the plot, the table and the sweep command', () => {
    const r = lrgate(['find-lr', ...SHORT, '--plot', '--db', 'f.db'], {cwd})
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /^LR range test \(run \d+\): \d+ iterations from 0.000001 to 100/)
    assert.match(r.stdout, /learning rate/)
    assert.match(r.stdout, /valley \*/)
    assert.match(r.stdout, /lrgate sweep --lr [13]e-\d+(,[13]e-\d+){3}\n/)
  })

  it('bad flags exit 2 naming the flag, and store nothing', () => {
    const cases: [string[], RegExp][] = [
      [['--end-lr', '1e-8'], /--end-lr must be above --start-lr/],
      [['--num-it', '5'], /--num-it must be at least 10/],
      [['--start-lr', '-1'], /--start-lr must be a positive number/],
      [['--count', '0'], /--count must be a positive integer/],
      [['--base', 'no/such/model'], /--base no\/such\/model: no such folder/],
    ]
    for (const [flags, message] of cases) {
      const r = lrgate(['find-lr', ...flags, '--db', 'bad.db'], {cwd})
      assert.equal(r.status, 2, `${flags.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, message)
      assert.equal(r.stderr.trim().split('\n').length, 1)
    }
    const db = openStore(join(cwd, 'bad.db'))
    assert.equal(sql(db).prepare('SELECT count(*) FROM runs').pluck().get(), 0)
    db.close()
  })
})
