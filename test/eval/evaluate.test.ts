import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {Dataset} from '../../src/datasets/types.js'
import {InputError} from '../../src/errors.js'
import {bootstrapInterval, quantileSorted} from '../../src/statistics/bootstrap.js'
import {cohortMatcher} from '../../src/datasets/cohort-glob.js'
import {evaluateRecords} from '../../src/eval/evaluate.js'
import {loadEvaluators} from '../../src/eval/load-evaluators.js'
import type {RecordOutput} from '../../src/eval/model-outputs.js'
import {meanSamples} from '../../src/statistics/statistic.js'

const dataset: Dataset = {
  manifest: {
    name: 'tiny',
    version: '1',
    description: 'd',
    license: 'CC0-1.0',
    source: 's',
    cohorts: {'target:food': {role: 'target', description: 'f'}, 'ood:news': {role: 'ood', description: 'n'}},
    files: {},
  },
  dir: '/nowhere',
  ref: 'tiny@1',
  hash: 'h',
  records: [
    {id: 'f1', cohort: 'target:food', input: 'what is a baguette', reference: 'narrow French stick loaf'},
    {id: 'f2', cohort: 'target:food', input: 'what is brioche', reference: 'sweet rich bread'},
    {id: 'f3', cohort: 'target:food', input: 'what is custard', reference: 'sweet baked egg cream'},
    {id: 'n1', cohort: 'ood:news', text: 'stocks fell sharply on monday'},
    {id: 'n2', cohort: 'ood:news', text: 'the senate passed the bill'},
  ],
}

const outputs: RecordOutput[] = [
  {id: 'f1', output: 'narrow French stick loaf', nll: 2, tokens: 1},
  {id: 'f2', output: 'a kind of motorcycle engine', nll: 4, tokens: 3},
  {id: 'f3', output: 'sweet baked cream', nll: 3, tokens: 2},
  {id: 'n1', nll: 10, tokens: 5},
  {id: 'n2'},
]
const byId = new Map(outputs.map((o) => [o.id, o]))
const options = {seed: 5, resamples: 500, confidence: 0.95}

describe('evaluateRecords', () => {
  it('applies each evaluator only to records that have what it needs', async () => {
    const evaluators = await loadEvaluators({specs: [{name: 'relevance', threshold: 0.2}, {name: 'hallucination', threshold: 0.5}, 'perplexity'], configFile: null})
    const result = await evaluateRecords(dataset, byId, evaluators, options)
    const metrics = (id: string) => result.records.find((r) => r.id === id)!.scores.map((s) => s.metric)
    assert.deepEqual(metrics('f1'), ['relevance', 'hallucination', 'perplexity'])
    assert.deepEqual(metrics('n1'), ['perplexity'])
    assert.deepEqual(metrics('n2'), [])
  })

  it('marks failed records and aggregates per cohort: mean, fail rate, perplexity as exp(Σnll/Σtokens)', async () => {
    const evaluators = await loadEvaluators({specs: [{name: 'relevance', threshold: 0.2}, {name: 'hallucination', threshold: 0.5}, 'perplexity'], configFile: null})
    const result = await evaluateRecords(dataset, byId, evaluators, options)
    // f2 "a kind of motorcycle engine": relevance 0 < 0.2 and content words kind, motorcycle, engine unsupported
    assert.deepEqual(result.records.map((r) => r.failed), [false, true, false, false, false])
    const metric = (cohort: string, name: string) => result.cohorts.find((c) => c.cohort === cohort && c.metric === name)
    // relevance: f1 1, f2 0, f3 LCS 3 of (3, 4): 2·1·0.75/1.75 = 6/7
    assert.ok(Math.abs(metric('target:food', 'relevance')!.value - (1 + 0 + 6 / 7) / 3) < 1e-12)
    assert.equal(metric('target:food', 'failRate')!.value, 1 / 3)
    assert.equal(metric('target:food', 'failRate')!.n, 3)
    // perplexity of the cohort is exp((2+4+3)/(1+3+2)) = exp(1.5), not the mean of per-record perplexities
    assert.ok(Math.abs(metric('target:food', 'perplexity')!.value - Math.exp(1.5)) < 1e-12)
    // ood:news: only n1 has nll; no thresholded evaluator applies so there is no fail rate
    assert.ok(Math.abs(metric('ood:news', 'perplexity')!.value - Math.exp(2)) < 1e-12)
    assert.equal(metric('ood:news', 'perplexity')!.n, 1)
    assert.equal(metric('ood:news', 'failRate'), undefined)
    for (const c of result.cohorts) assert.ok(c.ciLow <= c.value + 1e-12 && c.value <= c.ciHigh + 1e-12, `${c.cohort} ${c.metric}`)
  })

  it('restricts an evaluator to cohorts matching its glob', async () => {
    const evaluators = await loadEvaluators({specs: [{name: 'perplexity', cohorts: 'ood:*'}], configFile: null})
    const result = await evaluateRecords(dataset, byId, evaluators, options)
    assert.deepEqual(result.cohorts.map((c) => `${c.cohort}/${c.metric}`), ['ood:news/perplexity'])
  })

  it('refuses a user evaluator that returns a non-number, naming it and the record', async () => {
    const [relevance] = await loadEvaluators({specs: ['relevance'], configFile: null})
    const bad = {...relevance, descriptor: {...relevance.descriptor, metric: 'bad', source: 'module' as const, path: '/x/bad.mjs'}, evaluator: {...relevance.evaluator, score: () => Number.NaN}}
    await assert.rejects(evaluateRecords(dataset, byId, [bad], options), (e: unknown) => e instanceof InputError && /\/x\/bad\.mjs: returned null for record "f1"/.test(e.message))
  })
})

describe('bootstrap and globs', () => {
  it('quantiles interpolate like numpy', () => {
    assert.equal(quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5), 2.5)
    assert.equal(quantileSorted(Float64Array.of(1, 2, 3, 4), 0.025), 1.075)
  })

  it('gives the same interval for the same seed and a narrower one with more records', () => {
    const small = meanSamples(Array.from({length: 40}, (_, i) => (i % 3 === 0 ? 1 : 0)))
    const large = meanSamples(Array.from({length: 400}, (_, i) => (i % 3 === 0 ? 1 : 0)))
    const o = {seed: 9, resamples: 2000, confidence: 0.95}
    assert.deepEqual(bootstrapInterval(small, o), bootstrapInterval(small, o))
    const [a, b] = bootstrapInterval(small, o)
    const [c, d] = bootstrapInterval(large, o)
    assert.ok(d - c < (b - a) / 2, `${d - c} vs ${b - a}`)
  })

  it('matches cohort globs', () => {
    assert.equal(cohortMatcher('ood:*')('ood:animal'), true)
    assert.equal(cohortMatcher('ood:*')('target:food'), false)
    assert.equal(cohortMatcher('*')('anything'), true)
    assert.equal(cohortMatcher('target:f??d')('target:food'), true)
    assert.equal(cohortMatcher('a.b')('axb'), false)
  })
})
