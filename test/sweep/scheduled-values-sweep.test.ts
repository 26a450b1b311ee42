import assert from 'node:assert/strict'
import {setTimeout as sleep} from 'node:timers/promises'
import {before, describe, it} from 'node:test'

import {batchSizeAt} from '../../src/schedule/batch-ramp.js'
import {expandGrid} from '../../src/sweep/grid.js'
import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {lrgateAsync, queryDb as query, sweepFixture} from '../fixtures/sweep/workplace.js'

// 20 steps, batch ramp 2 → 4 over 8 steps, weight decay ×0.5 every 5 steps, clip norm ×(1 → 0.25) linearly, EMA 0.9 with warmup.
const SWEEP = {
  lrs: [3e-3], steps: 20, batchSize: 4, parallel: 1, valEvery: 5, checkpointEvery: 4,
  optimizer: {weightDecay: 0.2},
  schedules: {
    batchSize: {start: 2, rampSteps: 8},
    weightDecay: {type: 'step', stepSize: 5, gamma: 0.5},
    clipNorm: {type: 'linear', startFactor: 1, endFactor: 0.25, totalIters: 20},
  },
  ema: {decay: 0.9},
}

interface StepRow {step: number; loss: number; batch_size: number; clip_norm: number; weight_decay: number; ema_decay: number}
interface SweepJson {runId: number; candidates: Array<{label: string; status: string; evaluationId: number | null; verdict: string | null; ema: number | null}>}

const stepsOf = (db: string) => query<StepRow>(db, "SELECT s.step, s.loss, s.batch_size, s.clip_norm, s.weight_decay, s.ema_decay FROM train_steps s JOIN candidates c ON c.id = s.candidate_id WHERE c.label = 'lr-3e-3' ORDER BY s.step")
const metricsOf = (db: string, label: string) =>
  query<{cohort: string; metric: string; value: number}>(db, 'SELECT m.cohort, m.metric, m.value FROM cohort_metrics m JOIN candidates c ON c.evaluation_id = m.evaluation_id WHERE c.label = ? ORDER BY m.cohort, m.metric', label)

describe('sweep.schedules and sweep.ema in a real sweep', {timeout: 600_000}, () => {
  before(() => buildIfStale())

  it('labels: alongside adds <candidate>+ema after its trained one (before the seed part); instead relabels the trained one', () => {
    const grid = {lrs: [1e-3], methods: [{type: 'full' as const}], replay: [0], interpolate: [1, 0.5], seeds: 2}
    const along = expandGrid({...grid, ema: 'alongside'})
    assert.deepEqual(along.slice(0, 3).map((c) => [c.label, c.parentIndex, c.ema]), [['lr-1e-3 seed-1', null, false], ['lr-1e-3 wise-0.5 seed-1', 0, false], ['lr-1e-3+ema seed-1', 0, true]])
    assert.deepEqual(expandGrid({...grid, seeds: 1, ema: 'instead'}).map((c) => c.label), ['lr-1e-3+ema', 'lr-1e-3 wise-0.5+ema'])
  })

  it('stores the scheduled values per step, resumes after kill -9 with the same values and losses, and gates the +ema candidate', async () => {
    // uninterrupted
    const straight = sweepFixture({sweep: SWEEP})
    const r = lrgate(['sweep', '--json', '--db', straight.db], {cwd: straight.cwd})
    assert.ok(r.status === 0 || r.status === 1, r.stderr)
    const out = JSON.parse(r.stdout) as SweepJson
    assert.deepEqual(out.candidates.map((c) => [c.label, c.status, c.ema]), [['lr-3e-3', 'completed', null], ['lr-3e-3+ema', 'completed', 0.9]])
    const ema = out.candidates[1]
    assert.notEqual(ema.evaluationId, null)
    assert.ok(ema.verdict === 'pass' || ema.verdict === 'fail', `gated: ${ema.verdict}`)
    assert.equal(query<{n: number}>(straight.db, "SELECT count(*) AS n FROM gates g JOIN candidates c ON c.gate_id = g.id WHERE c.label = 'lr-3e-3+ema'")[0].n, 1)
    const [row] = query<{parent: string; ema_decay: number; steps_total: number}>(straight.db, "SELECT p.label AS parent, c.ema_decay, c.steps_total FROM candidates c JOIN candidates p ON p.id = c.parent_id WHERE c.label = 'lr-3e-3+ema'")
    assert.deepEqual(row, {parent: 'lr-3e-3', ema_decay: 0.9, steps_total: 0})
    // the average is not the last weights: its evaluation differs from the trained model's
    assert.notDeepEqual(metricsOf(straight.db, 'lr-3e-3+ema'), metricsOf(straight.db, 'lr-3e-3'))

    const steps = stepsOf(straight.db)
    assert.equal(steps.length, 20)
    steps.forEach((s, t) => {
      assert.equal(s.batch_size, batchSizeAt({start: 2, rampSteps: 8}, 4, t), `batch at ${t}`)
      assert.ok(Math.abs(s.weight_decay - 0.2 * 0.5 ** Math.floor(t / 5)) < 1e-15, `wd at ${t}: ${s.weight_decay}`)
      assert.ok(Math.abs(s.clip_norm - (1 + (0.25 - 1) * Math.min(t, 20) / 20)) < 1e-12, `clip at ${t}: ${s.clip_norm}`)
      assert.equal(s.ema_decay, Math.min(0.9, (1 + t) / (10 + t)))
    })
    assert.deepEqual([...new Set(steps.map((s) => s.batch_size))], [2, 3, 4])

    // killed after a checkpoint, then resumed
    const killed = sweepFixture({sweep: SWEEP})
    const child = lrgateAsync(killed.cwd, ['sweep', '--json', '--db', killed.db])
    for (let i = 0; i < 1200; i++) {
      await sleep(100)
      try {
        if (query<{n: number}>(killed.db, 'SELECT count(*) AS n FROM train_steps')[0].n >= 8) break
      } catch {
        // the database may not exist yet
      }
    }
    child.kill('SIGKILL')
    await new Promise((resolve) => child.on('exit', resolve))
    await sleep(2000)
    const stored = stepsOf(killed.db).length
    assert.ok(stored >= 8 && stored < 20, `killed mid-way (${stored} steps stored)`)
    const resumed = lrgate(['sweep', '--resume', '1', '--json', '--db', killed.db], {cwd: killed.cwd})
    assert.ok(resumed.status === 0 || resumed.status === 1, resumed.stderr)
    assert.deepEqual(stepsOf(killed.db), steps, 'every stored value, the loss included, as in the uninterrupted run')
    // the EMA came back from the checkpoint exactly: the average evaluates the same
    assert.deepEqual(metricsOf(killed.db, 'lr-3e-3+ema'), metricsOf(straight.db, 'lr-3e-3+ema'))

    // lrgate schedule --run shows the stored trajectory (read-only)
    const shown = lrgate(['schedule', '--run', '1', '--candidate', 'lr-3e-3', '--db', straight.db, '--json'], {cwd: straight.cwd})
    assert.equal(shown.status, 0, shown.stderr)
    const t = JSON.parse(shown.stdout) as {candidate: string; type: string; steps: number[]; batchSize: number[]; weightDecay: number[]; emaDecay: number[]}
    assert.equal(t.type, 'cosine')
    assert.deepEqual(t.steps, steps.map((s) => s.step))
    assert.deepEqual(t.batchSize, steps.map((s) => s.batch_size))
    assert.deepEqual(t.weightDecay, steps.map((s) => s.weight_decay))
    const table = lrgate(['schedule', '--run', '1', '--db', straight.db], {cwd: straight.cwd})
    assert.equal(table.status, 0, table.stderr)
    assert.match(table.stdout, /step\W+lr\W+batch\W+clip norm\W+weight decay\W+ema decay/)
    const runShow = lrgate(['runs', 'show', '1', '--db', straight.db], {cwd: straight.cwd})
    assert.equal(runShow.status, 0, runShow.stderr)
    assert.match(runShow.stdout, /lr-3e-3: batch 2→4 \(min 2, max 4\), clip norm 1→0\.2875 .*weight decay 0\.2→0\.025 .*ema decay 0\.1→0\.6897 /)
    const wrongType = lrgate(['schedule', '--type', 'plateau', '--run', '1', '--db', straight.db], {cwd: straight.cwd})
    assert.equal(wrongType.status, 2)
    assert.match(wrongType.stderr, /--type plateau: run #1's candidate lr-3e-3 was trained with a cosine schedule/)
  })

  it('refuses sweep.schedules / sweep.ema with an external trainer and sweep.ema with schedule-free AdamW (exit 2, naming both)', () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-3], steps: 8, batchSize: 4, schedules: {batchSize: {start: 2, rampSteps: 4}}}})
    const trainer = lrgate(['sweep', '--db', db, '--trainer', 'python train.py --lr {lr} --out {output_dir}'], {cwd})
    assert.equal(trainer.status, 2)
    assert.match(trainer.stderr, /sweep\.schedules\.batchSize cannot be combined with --trainer/)
    const sf = sweepFixture({sweep: {lrs: [1e-3], steps: 8, batchSize: 4, schedule: {type: 'constant', warmupSteps: 2}, optimizer: {type: 'schedulefree-adamw'}, ema: {decay: 0.9}}})
    const refused = lrgate(['sweep', '--db', sf.db], {cwd: sf.cwd})
    assert.equal(refused.status, 2)
    assert.match(refused.stderr, /sweep\.ema cannot be combined with sweep\.optimizer\.type schedulefree-adamw/)
    const big = sweepFixture({sweep: {lrs: [1e-3], steps: 8, batchSize: 4, schedules: {batchSize: {start: 6, rampSteps: 4}}}})
    const tooBig = lrgate(['sweep', '--db', big.db], {cwd: big.cwd})
    assert.equal(tooBig.status, 2)
    assert.match(tooBig.stderr, /sweep\.schedules\.batchSize\.start must be at most sweep\.batchSize \(4\)/)
  })
})
