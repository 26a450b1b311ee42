import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {seedMeanResult} from '../../src/eval/seed-mean.js'
import type {Dataset} from '../../src/datasets/types.js'
import type {StoredRecord} from '../../src/store/evaluations.js'
import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {sweepFixture, queryDb as query} from '../fixtures/sweep/workplace.js'


const stored = (id: string, relevance: number, nll: number): StoredRecord => ({
  id, cohort: 'ood:x', nll, tokens: 10, bytes: 12, failed: false, scores: new Map([['relevance', {value: relevance, passed: null, reason: null}]]),
})

describe('--seeds N: a configuration is gated on its seeds\' mean', () => {
  before(() => buildIfStale())

  it('averages each record\'s scores and NLL over the seeds and applies thresholds to the mean', () => {
    const dataset = {records: [{id: 'a', cohort: 'ood:x'}, {id: 'b', cohort: 'ood:x'}], manifest: {cohorts: {'ood:x': {role: 'ood'}}}} as unknown as Dataset
    const evaluators = [{metric: 'relevance', name: 'relevance', source: 'builtin' as const, direction: 'higher' as const, threshold: 0.25, aggregation: 'mean' as const}]
    const seed1 = new Map([['a', stored('a', 0.1, 20)], ['b', stored('b', 0.9, 10)]])
    const seed2 = new Map([['a', stored('a', 0.5, 22)], ['b', stored('b', 0.7, 14)]])
    const {records, cohorts} = seedMeanResult(dataset, [seed1, seed2], evaluators, {seed: 1, resamples: 200, confidence: 0.95})
    assert.deepEqual(records.map((r) => [r.id, r.scores[0].value, r.nll, r.tokens, r.failed]), [['a', 0.3, 21, 10, false], ['b', 0.8, 12, 10, false]])
    // Seed 1 alone fails record a (0.1 < 0.25); the mean (0.3) passes it, so the fail rate is 0.
    assert.equal(cohorts.find((c) => c.metric === 'failRate')!.value, 0)
    assert.ok(Math.abs(cohorts.find((c) => c.metric === 'relevance')!.value - 0.55) < 1e-12)
  })

  it('stores the seed mean once, gates it, and gives its decision to every seed; each seed keeps its own verdict beside it', () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [3e-3], steps: 4, batchSize: 4, parallel: 1, valEvery: 4, checkpointEvery: 4, seeds: 2}})
    const out = lrgate(['sweep', '--json', '--db', db], {cwd})
    assert.equal(out.status, 0, out.stderr)
    const json = JSON.parse(out.stdout) as {candidates: Array<{label: string; evaluationId: number; verdict: string; seedVerdict: string; configuration: {label: string; evaluationId: number; gateId: number; verdict: string}}>}
    assert.deepEqual(json.candidates.map((c) => c.label), ['lr-3e-3 seed-1', 'lr-3e-3 seed-2'])
    const means = query<{id: number; seedMeanOf: string; label: string}>(db, 'SELECT id, seed_mean_of AS seedMeanOf, label FROM evaluations WHERE seed_mean_of IS NOT NULL')
    assert.equal(means.length, 1)
    assert.deepEqual(JSON.parse(means[0].seedMeanOf), json.candidates.map((c) => c.evaluationId))
    for (const c of json.candidates) {
      assert.equal(c.configuration.evaluationId, means[0].id)
      assert.equal(c.verdict, c.configuration.verdict)
      assert.ok(c.seedVerdict === 'pass' || c.seedVerdict === 'fail')
    }
    // The stored candidates point at the configuration's gate, which compared the seed mean.
    const gates = query<{id: number; candidateEvaluationId: number; verdict: string}>(db, 'SELECT DISTINCT g.id, g.candidate_evaluation_id AS candidateEvaluationId, g.verdict FROM candidates c JOIN gates g ON g.id = c.gate_id')
    assert.deepEqual(gates, [{id: json.candidates[0].configuration.gateId, candidateEvaluationId: means[0].id, verdict: json.candidates[0].verdict}])
    // A record's mean NLL is the mean of the two seeds' NLLs.
    const nll = query<{evaluation_id: number; nll: number}>(db, "SELECT evaluation_id, nll FROM record_outputs WHERE record_id = (SELECT min(record_id) FROM record_outputs) ORDER BY evaluation_id")
    const byEval = new Map(nll.map((r) => [r.evaluation_id, r.nll]))
    const [a, b] = json.candidates.map((c) => byEval.get(c.evaluationId)!)
    assert.notEqual(a, b, 'the two seeds trained differently')
    assert.ok(Math.abs(byEval.get(means[0].id)! - (a + b) / 2) < 1e-9 * Math.abs(a))
  })
})
