import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {sweepFixture} from '../fixtures/sweep/workplace.js'

/** What an evaluation scored, without its id, label or where it was stored from. */
function contents(db: string, evaluationId: number) {
  const d = new Database(db, {readonly: true})
  try {
    const row = d.prepare('SELECT dataset_hash, source, seed, evaluators, tokenizer, reference_bytes FROM evaluations WHERE id = ?').get(evaluationId)
    const outputs = d.prepare('SELECT record_id, cohort, output, nll, tokens, bytes, failed FROM record_outputs WHERE evaluation_id = ? ORDER BY record_id').all(evaluationId)
    const scores = d.prepare('SELECT record_id, metric, value, passed, reason FROM record_scores WHERE evaluation_id = ? ORDER BY record_id, metric').all(evaluationId)
    const cohorts = d.prepare('SELECT cohort, metric, value, ci_low, ci_high, n FROM cohort_metrics WHERE evaluation_id = ? ORDER BY cohort, metric').all(evaluationId)
    return {row, outputs, scores, cohorts}
  } finally {
    d.close()
  }
}

function evaluationId(db: string, label: string): number {
  const d = new Database(db, {readonly: true})
  try {
    return d.prepare('SELECT id FROM evaluations WHERE label = ? ORDER BY id DESC LIMIT 1').pluck().get(label) as number
  } finally {
    d.close()
  }
}

describe('one path evaluates a model', () => {
  before(() => buildIfStale())

  it('evaluating one model through eval, sweep and re-evaluation stores identical rows', () => {
    const {cwd, db} = sweepFixture()
    // The sweep scores its base model (the shipped example) on tiny-eval@1 …
    const sweep = lrgate(['sweep', '--json', '--db', db, '--lr', '1e-9', '--steps', '2'], {cwd})
    assert.equal(sweep.status, 0, sweep.stderr)
    const baseId = (JSON.parse(sweep.stdout) as {baseline: {evaluationId: number}}).baseline.evaluationId
    // … `lrgate eval --model` scores the same folder on the same data …
    const direct = lrgate(['eval', '--model', 'example', '--dataset', 'tiny-eval@1', '--label', 'direct', '--db', db], {cwd})
    assert.equal(direct.status, 0, direct.stderr)
    // … and `check` re-evaluates a baseline scored on tiny-eval@2 on the candidate's tiny-eval@1.
    const old = lrgate(['eval', '--model', 'example', '--dataset', 'tiny-eval@2', '--label', 'old', '--db', db], {cwd})
    assert.equal(old.status, 0, old.stderr)
    const check = lrgate(['check', '--candidate', 'direct', '--baseline', 'old', '--db', db], {cwd})
    assert.equal(check.status, 0, check.stdout + check.stderr)
    const again = evaluationId(db, 'old@tiny-eval@1')
    assert.ok(again > 0, 'the baseline was re-evaluated on tiny-eval@1')

    const fromSweep = contents(db, baseId)
    assert.ok(fromSweep.outputs.length === 60 && fromSweep.scores.length >= 40 && fromSweep.cohorts.length >= 3, `real rows to compare: ${fromSweep.outputs.length} outputs, ${fromSweep.scores.length} scores, ${fromSweep.cohorts.length} cohort rows`)
    assert.deepEqual(contents(db, evaluationId(db, 'direct')), fromSweep)
    assert.deepEqual(contents(db, again), fromSweep)
  })
})
