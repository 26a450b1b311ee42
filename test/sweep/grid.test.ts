import assert from 'node:assert/strict'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {before, describe, it} from 'node:test'

import {expandGrid, gridLabel, normalizeMethod} from '../../src/sweep/grid.js'
import {decideRung} from '../../src/sweep/halving.js'
import {buildIfStale, lrgate, ROOT} from '../fixtures/eval/cli.js'
import {lrgateAsync, sweepFixture, writeDataset, queryDb as query} from '../fixtures/sweep/workplace.js'

interface GridJson {
  runId: number
  candidates: Array<{label: string; lr: number; method: string; rank: number | null; replay: number; interpolate: number; status: string; evaluationId: number | null; verdict: string | null}>
  recommended: string | null
  withoutRemedy: string | null
}


const count = (db: string, sql: string, ...args: unknown[]) => Object.values(query<Record<string, number>>(db, sql, ...args)[0])[0]

describe('the remedy grid', () => {
  before(() => buildIfStale())

  it('expands lr × method × replay × seed, with interpolations after their trained candidate, under short labels', () => {
    const lora = normalizeMethod('lora', {rank: 4})
    assert.deepEqual(lora, {type: 'lora', rank: 4, alpha: 8, targets: ['attn', 'mlp'], dropout: 0})
    const grid = expandGrid({lrs: [1e-4, 3e-4], methods: [{type: 'full'}, lora], replay: [0, 0.25], interpolate: [1, 0.5], seeds: 1})
    assert.equal(grid.length, 2 * 2 * 2 * 2)
    assert.deepEqual(grid.slice(0, 4).map((c) => c.label), ['lr-1e-4', 'lr-1e-4 wise-0.5', 'lr-3e-4', 'lr-3e-4 wise-0.5'])
    assert.ok(grid.some((c) => c.label === 'lr-1e-4 lora-r4 replay-0.25'))
    assert.equal(grid[1].parentIndex, 0)
    assert.equal(gridLabel({lr: 1e-4, method: normalizeMethod({type: 'lora', rank: 8, alpha: 32}), replay: 0, interpolate: 1, seedIndex: 1}, 3), 'lr-1e-4 lora-r8-a32 seed-2')
    // The default grid is the plain sweep: labels as before.
    assert.deepEqual(expandGrid({lrs: [1e-6, 1e-3], methods: [{type: 'full'}], replay: [0], interpolate: [1], seeds: 1}).map((c) => c.label), ['lr-1e-6', 'lr-1e-3'])
  })

  it('halving ranks within each group: a slow-learning group keeps its best', () => {
    // decideRung is called per (method, replay) group; LoRA's losses are all worse than full's.
    const full = decideRung([{label: 'f1', valLoss: 1.0, probeChange: 0}, {label: 'f2', valLoss: 1.1, probeChange: 0}], 2, 0.05)
    const lora = decideRung([{label: 'l1', valLoss: 2.0, probeChange: 0}, {label: 'l2', valLoss: 2.2, probeChange: 0}], 2, 0.05)
    assert.deepEqual([...full, ...lora].filter((d) => d.keep).map((d) => d.label), ['f1', 'l1'])
  })

  it('refuses a bad method or share with exit 2 naming the flag', () => {
    const {cwd, db} = sweepFixture()
    const bad = lrgate(['sweep', '--db', db, '--method', 'full,qlora'], {cwd})
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /--method: "qlora" is not a method/)
    const share = lrgate(['sweep', '--db', db, '--replay', '0,1'], {cwd})
    assert.equal(share.status, 2)
    assert.match(share.stderr, /--replay: "1" is not a number in \[0, 1\)/)
    assert.equal(existsSync(db), false)
  })

  it('a 2×2 grid (full/LoRA × replay) with interpolation completes, resumes after kill -9, and recommends', async () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [3e-3], steps: 16, batchSize: 4, parallel: 1, valEvery: 8, checkpointEvery: 4}})
    const general = readFileSync(join(ROOT, 'datasets', 'example-pretrain', '2', 'definitions.jsonl'), 'utf8').trim().split('\n').slice(0, 60).map((l) => JSON.parse(l))
    writeDataset(cwd, 'tiny-general', '1', {'general.jsonl': general}, {'general:definitions': 'other'})
    const args = ['sweep', '--json', '--db', db, '--method', 'full,lora', '--lora-rank', '4', '--replay', '0,0.25', '--replay-data', 'tiny-general@1', '--interpolate', '1,0']
    const child = lrgateAsync(cwd, args)
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    for (let i = 0; i < 1200; i++) {
      await sleep(100)
      try {
        if (count(db, 'SELECT count(*) FROM train_steps') >= 24) break
      } catch {
        // the database may not exist yet
      }
    }
    child.kill('SIGKILL')
    await new Promise((resolve) => child.on('exit', resolve))
    await sleep(2000)
    const before = count(db, 'SELECT count(*) FROM train_steps')
    assert.ok(before >= 24 && before < 64, `killed mid-way (${before} steps stored); ${stderr}`)
    const runId = count(db, 'SELECT max(id) FROM runs')

    const resumed = lrgate(['sweep', '--resume', String(runId), '--json', '--db', db], {cwd})
    assert.equal(resumed.status, 0, resumed.stderr)
    const out = JSON.parse(resumed.stdout) as GridJson
    assert.deepEqual(out.candidates.map((c) => c.label), [
      'lr-3e-3', 'lr-3e-3 wise-0', 'lr-3e-3 replay-0.25', 'lr-3e-3 replay-0.25 wise-0',
      'lr-3e-3 lora-r4', 'lr-3e-3 lora-r4 wise-0', 'lr-3e-3 lora-r4 replay-0.25', 'lr-3e-3 lora-r4 replay-0.25 wise-0',
    ])
    assert.ok(out.candidates.every((c) => c.status === 'completed'), JSON.stringify(out.candidates))
    assert.deepEqual(out.candidates.map((c) => [c.method, c.rank, c.replay, c.interpolate]).slice(4, 6), [['lora', 4, 0, 1], ['lora', 4, 0, 0]])
    // Four fine-tunes of 16 steps each, no step twice; replay steps keep both losses.
    assert.equal(count(db, 'SELECT count(*) FROM train_steps s JOIN candidates c ON c.id = s.candidate_id WHERE c.run_id = ?', runId), 64)
    assert.equal(count(db, "SELECT count(DISTINCT candidate_id || ':' || step) FROM train_steps"), 64)
    assert.equal(count(db, 'SELECT count(*) FROM train_steps s JOIN candidates c ON c.id = s.candidate_id WHERE c.replay > 0 AND s.target_loss IS NOT NULL AND s.replay_loss IS NOT NULL'), 32)
    assert.equal(count(db, 'SELECT count(*) FROM train_steps s JOIN candidates c ON c.id = s.candidate_id WHERE c.replay = 0 AND s.replay_loss IS NOT NULL'), 0)
    assert.equal(count(db, 'SELECT count(*) FROM evaluations WHERE run_id = ?', runId), 9, 'base once, each candidate once')

    // α = 0 is the base model's weights themselves: its evaluation equals the base's.
    const base = count(db, 'SELECT base_evaluation_id FROM runs WHERE id = ?', runId)
    const metrics = (id: number) => query<{cohort: string; metric: string; value: number}>(db, 'SELECT cohort, metric, value FROM cohort_metrics WHERE evaluation_id = ? ORDER BY cohort, metric', id)
    for (const c of out.candidates.filter((x) => x.interpolate === 0)) assert.deepEqual(metrics(c.evaluationId!), metrics(base), c.label)

    // LoRA keeps a small adapter beside the merged model; the adapter folder loads as a model.
    const [adapterDir] = query<{adapter_dir: string}>(db, "SELECT adapter_dir FROM candidates WHERE label = 'lr-3e-3 lora-r4'")
    const ratio = statSync(join(adapterDir.adapter_dir, 'adapter.bin')).size / statSync(join(ROOT, 'models', 'example-base', 'weights.bin')).size
    assert.ok(ratio < 0.05, `adapter ${ratio}`)
    const ev = lrgate(['eval', '--model', adapterDir.adapter_dir, '--dataset', 'tiny-eval@1', '--label', 'adapter-as-model', '--db', db, '--json'], {cwd})
    assert.equal(ev.status, 0, ev.stderr)

    assert.notEqual(out.recommended, null)
    const human = lrgate(['runs', 'show', String(runId), '--db', db], {cwd})
    assert.equal(human.status, 0, human.stderr)
  })
})
