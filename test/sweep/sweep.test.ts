import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {existsSync, rmSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {before, describe, it} from 'node:test'

import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {lrgateAsync, sweepFixture} from '../fixtures/sweep/workplace.js'

interface SweepJson {
  runId: number
  candidates: Array<{label: string; lr: number; status: string; evaluationId: number | null; verdict: string | null}>
  recommended: string | null
}

function count(db: string, sql: string, ...args: unknown[]): number {
  const d = new Database(db, {readonly: true})
  try {
    return d.prepare(sql).pluck().get(...args) as number
  } finally {
    d.close()
  }
}

describe('lrgate sweep', () => {
  before(() => buildIfStale())

  it('runs a tiny sweep end to end: JSON, stored rows, recommendation, and check agrees', () => {
    // 1e-4 improves the target for real (its perplexity interval wholly below zero) and passes; a
    // near-zero rate such as 1e-9 would move the target by float noise only, never a recommendation.
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-4, 3e-3], steps: 12, batchSize: 4, parallel: 2, valEvery: 4, checkpointEvery: 4}})
    const r = lrgate(['sweep', '--json', '--db', db], {cwd})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as SweepJson
    assert.deepEqual(out.candidates.map((c) => [c.label, c.status]), [['lr-1e-4', 'completed'], ['lr-3e-3', 'completed']])
    // A gentle candidate passes; a hot one forgets.
    assert.equal(out.candidates[0].verdict, 'pass')
    assert.equal(out.candidates[1].verdict, 'fail')
    assert.equal(out.recommended, 'lr-1e-4')
    assert.equal(count(db, 'SELECT count(*) FROM train_steps s JOIN candidates c ON c.id = s.candidate_id WHERE c.run_id = ?', out.runId), 24)
    assert.equal(count(db, 'SELECT count(*) FROM evaluations WHERE run_id = ?', out.runId), 3)
    assert.equal(count(db, "SELECT count(*) FROM runs WHERE id = ? AND status = 'completed' AND recommended_candidate_id IS NOT NULL", out.runId), 1)
    assert.ok(count(db, 'SELECT count(*) FROM train_steps WHERE val_loss IS NOT NULL') >= 6, 'validation loss every 4 steps')
    // The stored decisions are what `lrgate check` decides again.
    assert.equal(lrgate(['check', '--candidate', 'recommended', '--baseline', 'base', '--db', db], {cwd}).status, 0)
    const hot = lrgate(['check', '--candidate', `run:${out.runId}:lr-3e-3`, '--baseline', 'base', '--db', db], {cwd})
    assert.equal(hot.status, 1, hot.stdout + hot.stderr)
    assert.match(hot.stdout, /perplexity maxRise 0\.05/)
    // The table a person reads.
    const human = lrgate(['sweep', '--db', db, '--lr', '1e-4', '--steps', '4'], {cwd})
    assert.equal(human.status, 0, human.stderr)
    assert.match(human.stdout, /Recommended: lr-1e-4/)
  })

  it('says plainly that nothing may ship, and --gate turns that into exit 1', () => {
    const {cwd, db} = sweepFixture()
    const r = lrgate(['sweep', '--db', db, '--lr', '3e-3', '--gate'], {cwd})
    assert.equal(r.status, 1, r.stderr)
    assert.match(r.stdout, /No candidate passes the gate — none may ship; keep the base model\. lr-3e-3 fails/)
    // The weekly workflow's check: nothing may ship is a regression (exit 1), with the hot candidate's failing rows.
    const check = lrgate(['check', '--candidate', 'recommended', '--baseline', 'base', '--db', db], {cwd})
    assert.equal(check.status, 1, check.stderr)
    assert.match(check.stdout, /FAIL sweep recommendation on candidate lr-3e-3: run #1 recommended no learning rate: none of its 1 candidate passed the gate \(1 completed\); rows below are lr-3e-3's/)
    assert.match(check.stdout, /FAIL perplexity maxRise 0\.05 relative on ood:/)
  })

  it('a new database beside an old one\'s artifacts trains afresh: run ids repeat, artifact folders do not', () => {
    const {cwd, db} = sweepFixture()
    const artifactDir = () => {
      const d = new Database(db, {readonly: true})
      try {
        return d.prepare('SELECT artifact_dir FROM candidates').pluck().get() as string
      } finally {
        d.close()
      }
    }
    const sweep = () => {
      const r = lrgate(['sweep', '--db', db, '--lr', '3e-3', '--json'], {cwd})
      assert.equal(r.status, 0, r.stderr)
      return {out: JSON.parse(r.stdout) as SweepJson, stderr: r.stderr, dir: artifactDir()}
    }
    const first = sweep()
    for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, {force: true})
    const second = sweep()
    assert.equal(second.out.runId, first.out.runId)
    assert.notEqual(second.dir, first.dir)
    assert.doesNotMatch(second.stderr, /already trained/)
    assert.equal(count(db, 'SELECT count(*) FROM train_steps'), 12, 'the candidate was trained, not taken from the old folder')
    assert.ok(existsSync(first.dir) && existsSync(second.dir))
  })

  it('refuses bad input with exit 2 and leaves the database untouched', () => {
    const {cwd, db} = sweepFixture()
    const bad = lrgate(['sweep', '--db', db, '--lr', '1e-3,fast'], {cwd})
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /^lrgate: --lr must be a positive number \(got "fast"\)\.$/m)
    const missing = lrgate(['sweep', '--db', db, '--train', 'nope@1'], {cwd})
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /nope@1/)
    const schedule = lrgate(['sweep', '--db', db, '--type', 'step'], {cwd})
    assert.equal(schedule.status, 2)
    assert.match(schedule.stderr, /step-size/)
    // The plan is checked once against its real length: one epoch of 40 records is a few steps, so
    // 500 warmup steps is refused before a run exists, naming the flags the user passed (not --steps).
    const warmup = lrgate(['sweep', '--db', db, '--epochs', '1', '--warmup-steps', '500'], {cwd})
    assert.equal(warmup.status, 2, warmup.stderr)
    assert.match(warmup.stderr, /^lrgate: --warmup-steps must be less than the length from --epochs 1 \(got 500 of \d+\); leave at least one step after warmup\.$/m)
    assert.doesNotMatch(warmup.stderr, /--steps/)
    assert.equal(lrgate(['runs', 'list', '--json', '--db', db], {cwd}).stdout.includes('"kind": "sweep"'), false)
  })

  it('resumes after kill -9 from checkpoints without redoing or duplicating steps', async () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-4, 3e-4], steps: 80, batchSize: 4, parallel: 1, valEvery: 40, checkpointEvery: 10}})
    const child = lrgateAsync(cwd, ['sweep', '--json', '--db', db])
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    // Kill the sweep once the first candidate is well into training.
    for (let i = 0; i < 600; i++) {
      await sleep(100)
      try {
        if (count(db, 'SELECT count(*) FROM train_steps') >= 30) break
      } catch {
        // the database may not exist yet
      }
    }
    child.kill('SIGKILL')
    await new Promise((resolve) => child.on('exit', resolve))
    await sleep(2000) // the worker notices its parent is gone and exits
    const before = count(db, 'SELECT count(*) FROM train_steps')
    assert.ok(before >= 30 && before < 160, `killed mid-way (${before} steps stored); ${stderr}`)
    const runId = count(db, 'SELECT max(id) FROM runs')
    assert.equal(count(db, 'SELECT status FROM runs WHERE id = ?', runId) as unknown, 'running')

    const resumed = lrgate(['sweep', '--resume', String(runId), '--json', '--db', db], {cwd})
    assert.equal(resumed.status, 0, resumed.stderr)
    assert.match(resumed.stderr, /lr-1e-4: resuming from the checkpoint after step \d+0\b/)
    const out = JSON.parse(resumed.stdout) as SweepJson
    assert.equal(out.runId, runId)
    assert.deepEqual(out.candidates.map((c) => c.status), ['completed', 'completed'])
    assert.equal(count(db, 'SELECT count(*) FROM train_steps'), 160)
    assert.equal(count(db, "SELECT count(DISTINCT candidate_id || ':' || step) FROM train_steps"), 160)
    assert.equal(count(db, 'SELECT count(*) FROM evaluations WHERE run_id = ?', runId), 3, 'base evaluated once, each candidate once')
    // A completed run is not resumed again.
    assert.equal(lrgate(['sweep', '--resume', String(runId), '--db', db], {cwd}).status, 2)
  })

  it('stops cleanly on Ctrl-C and says how to resume', async () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-4], steps: 5000, batchSize: 4, parallel: 1, valEvery: 1000, checkpointEvery: 10}})
    const child = lrgateAsync(cwd, ['sweep', '--db', db])
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    for (let i = 0; i < 600 && !/lr-1e-4: started/.test(stderr); i++) await sleep(100)
    await sleep(1000)
    child.kill('SIGINT')
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)))
    assert.equal(code, 130, stderr)
    assert.match(stderr, /continue it with: lrgate sweep --resume \d+/)
    assert.equal(count(db, "SELECT count(*) FROM runs WHERE status = 'interrupted'"), 1)
    const done = count(db, 'SELECT steps_done FROM candidates')
    assert.ok(done > 0 && done < 5000, `stopped mid-way (${done})`)
    assert.equal(count(db, 'SELECT count(*) FROM train_steps'), done, 'steps stored up to the final checkpoint')
  })

  it('weekly retrain: promote, keep the promoted model when nothing improves on it, re-evaluate it when the eval data moves on', () => {
    // Out-of-domain rules only: the promoted fine-tune answers the target better than a near-base
    // candidate (relevance, fail rate), so the target rules would fail week 2 before its objective is asked.
    const oodRules = [
      {cohorts: 'ood:*', metric: 'relevance', maxDrop: 0.02},
      {cohorts: 'ood:*', metric: 'hallucination', maxRise: 0.02},
      {cohorts: 'ood:brown-*', metric: 'perplexity', maxRise: 0.05, relative: true},
      {cohorts: 'ood:*', metric: 'failRate', maxRise: 0.02},
    ]
    const {cwd, db} = sweepFixture({gate: {baseline: 'promoted', resamples: 200, rules: oodRules}})
    // Week 1: nothing is promoted yet, so the sweep gates against the base model; lr 3e-4 lowers target perplexity.
    const week1 = lrgate(['sweep', '--json', '--db', db, '--name', 'week-1', '--lr', '3e-4'], {cwd})
    assert.equal(week1.status, 0, week1.stderr)
    assert.match(week1.stderr, /nothing is promoted yet/)
    const w1 = JSON.parse(week1.stdout) as SweepJson & {candidates: Array<{objective: {improves: boolean; cohorts: Array<{ciHigh: number}>}}>}
    assert.equal(w1.recommended, 'lr-3e-4')
    assert.ok(w1.candidates[0].objective.improves && w1.candidates[0].objective.cohorts[0].ciHigh < 0, JSON.stringify(w1.candidates[0].objective))
    assert.equal(lrgate(['baseline', 'promote', 'recommended', '--db', db], {cwd}).status, 0)

    // Week 2 (the case): new fine-tune data, a candidate that passes every rule against the
    // promoted model but whose target perplexity is worse than the promoted model's: keep the promoted model.
    const week2 = lrgate(['sweep', '--db', db, '--name', 'week-2', '--train', 'tiny-train@2', '--lr', '1e-9', '--gate', '--wide'], {cwd})
    assert.equal(week2.status, 1, week2.stdout + week2.stderr)
    assert.match(week2.stdout, /gated against the promoted model \(week-1\/lr-3e-4\)\./)
    assert.match(week2.stdout, /│ pass( \(\?\))? +│/, 'the candidate passes every gate rule')
    assert.match(week2.stdout, /Keep the promoted model: no candidate that passes the gate improves target perplexity on the promoted model \(week-1\/lr-3e-4\) .*best: lr-1e-9, target perplexity \+\d+\.\d% \[\+/)
    const check2 = lrgate(['check', '--candidate', 'recommended', '--baseline', 'promoted', '--db', db], {cwd})
    assert.equal(check2.status, 1, check2.stdout + check2.stderr)
    assert.match(check2.stdout, /FAIL sweep recommendation on candidate lr-1e-9: run #2 recommended no learning rate: the one candidate that passes the gate does not improve target perplexity on the model it would replace, so that model is kept/)

    // Week 3: the eval dataset has a new version: the promoted model is scored on it, not compared across data.
    const week3 = lrgate(['sweep', '--json', '--db', db, '--name', 'week-3', '--train', 'tiny-train@2', '--eval', 'tiny-eval@2', '--lr', '1e-9'], {cwd})
    assert.equal(week3.status, 0, week3.stderr)
    const w3 = JSON.parse(week3.stdout) as SweepJson & {baseline: {label: string; evaluationId: number}; keep: {model: string; reason: string} | null}
    assert.equal(w3.baseline.label, 'week-1/lr-3e-4@tiny-eval@2')
    assert.deepEqual([w3.recommended, w3.keep?.model, w3.keep?.reason], [null, 'the promoted model', 'objective'])
    assert.equal(count(db, 'SELECT d.version FROM evaluations e JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?', w3.baseline.evaluationId) as unknown, '2')
    // `check` against the promoted model (scored on tiny-eval@1) uses the re-evaluation on @2.
    const check = lrgate(['check', '--candidate', 'recommended', '--baseline', 'promoted', '--json', '--db', db], {cwd})
    assert.equal(check.status, 1, check.stderr)
    assert.equal((JSON.parse(check.stdout) as {baseline: {id: number}}).baseline.id, w3.baseline.evaluationId)
  })

  it('early stopping prunes hopeless candidates at rungs and trains far fewer steps', () => {
    const {cwd, db} = sweepFixture({
      sweep: {lrs: [1e-9, 1e-4, 3e-3, 3e-2], steps: 24, batchSize: 4, parallel: 2, valEvery: 6, checkpointEvery: 6, earlyStopping: {enabled: true, minSteps: 6, eta: 2, probeRecords: 16}},
    })
    const r = lrgate(['sweep', '--json', '--db', db], {cwd})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as SweepJson & {compute: {stepsTrained: number; stepsPlanned: number}}
    assert.match(r.stderr, /rung at step 6: continuing .*; pruned /)
    const statuses = Object.fromEntries(out.candidates.map((c) => [c.label, c.status]))
    assert.equal(statuses['lr-3e-2'], 'pruned', 'the hottest rate forgets at once')
    assert.equal(out.candidates.filter((c) => c.status === 'completed').length, 1, 'rungs at 6 and 12 halve 4 candidates to 1')
    assert.equal(out.compute.stepsPlanned, 96)
    assert.ok(out.compute.stepsTrained <= 48, `trained ${out.compute.stepsTrained} of 96 steps`)
    // every candidate is decided at the first rung, which keeps at most half; a kept one may diverge before the second
    assert.equal(count(db, 'SELECT count(*) FROM rungs WHERE kept IS NOT NULL AND step = 6'), 4)
    const kept = count(db, 'SELECT count(*) FROM rungs WHERE kept = 1 AND step = 6')
    assert.ok(kept >= 1 && kept <= 2, `kept ${kept} at the first rung`)
    assert.ok(count(db, 'SELECT count(*) FROM rungs WHERE kept IS NOT NULL AND step = 12') <= 2)
    // Pruned candidates are never evaluated; the recommendation comes from the survivors.
    assert.equal(count(db, 'SELECT count(*) FROM evaluations WHERE run_id = ?', out.runId), 2)
    assert.equal(out.recommended, out.candidates.find((c) => c.status === 'completed' && c.verdict === 'pass')?.label ?? null)
  })

  it('two sweeps writing to the same database at once both complete', async () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-9], steps: 12, batchSize: 4, parallel: 1, valEvery: 4, checkpointEvery: 2}})
    const run = (name: string) =>
      new Promise<{code: number | null; out: string; err: string}>((resolve) => {
        const child = lrgateAsync(cwd, ['sweep', '--json', '--db', db, '--name', name])
        let out = '', err = ''
        child.stdout.on('data', (d) => (out += d))
        child.stderr.on('data', (d) => (err += d))
        child.on('exit', (code) => resolve({code, out, err}))
      })
    const [a, b] = await Promise.all([run('first'), run('second')])
    assert.equal(a.code, 0, a.err)
    assert.equal(b.code, 0, b.err)
    assert.notEqual((JSON.parse(a.out) as SweepJson).runId, (JSON.parse(b.out) as SweepJson).runId)
    assert.equal(count(db, "SELECT count(*) FROM runs WHERE status = 'completed'"), 2)
    assert.equal(count(db, 'SELECT count(*) FROM train_steps'), 24)
  })
})
