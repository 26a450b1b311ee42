import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {lrgate} from '../fixtures/eval/cli.js'
import {sweepFixture} from '../fixtures/sweep/workplace.js'

interface Curve {candidate: string; kind: string; label: string; reason: string}

/** A real 40-step sweep on the tiny fixture; returns each candidate's stored curve diagnosis and the table. */
function sweep(lrs: number[], schedule: Record<string, unknown>): {curves: Map<number, Curve>; table: string; show: string} {
  const {cwd, db} = sweepFixture({sweep: {lrs, steps: 40, batchSize: 4, parallel: 2, valEvery: 4, checkpointEvery: 40, schedule}})
  const run = lrgate(['sweep', '--db', db], {cwd})
  assert.equal(run.status === 0 || run.status === 1, true, run.stderr)
  const json = lrgate(['runs', 'show', '1', '--json', '--db', db], {cwd})
  assert.equal(json.status, 0, json.stderr)
  const body = JSON.parse(json.stdout) as {curves: Curve[]; candidates: {label: string; lr: number}[]}
  const lrOf = new Map(body.candidates.map((c) => [c.label, c.lr]))
  const show = lrgate(['runs', 'show', '1', '--db', db], {cwd})
  return {curves: new Map(body.curves.map((c) => [lrOf.get(c.candidate)!, c])), table: run.stdout, show: show.stdout}
}

describe('curve diagnosis on real short runs (tiny fixture, 40 steps)', {timeout: 600_000}, () => {
  it('constant lr: 1e-1 without warmup diverges early, 1e-7 plateaus, 3e-3 oscillates late; shown in the sweep table and runs show', () => {
    const {curves, table, show} = sweep([1e-1, 1e-7, 3e-3], {type: 'constant'})
    assert.equal(curves.get(1e-1)?.kind, 'diverged-early', JSON.stringify(curves.get(1e-1)))
    assert.equal(curves.get(1e-7)?.kind, 'plateaued-early', JSON.stringify(curves.get(1e-7)))
    assert.equal(curves.get(3e-3)?.kind, 'oscillating-late', JSON.stringify(curves.get(3e-3)))
    assert.match(table, /│ *curve *│|curve/)
    assert.match(table, /plateaued early — the train loss fell/)
    assert.match(show, /Curves \(rules: docs\/diagnosis\.md\):/)
    assert.match(show, /oscillating late — .*lr not decayed enough/)
  })

  it('the default warmup + cosine at 3e-3 is healthy', () => {
    const {curves} = sweep([3e-3], {type: 'cosine', warmupRatio: 0.1})
    assert.equal(curves.get(3e-3)?.kind, 'healthy', JSON.stringify(curves.get(3e-3)))
  })
})
