import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {tradeoffChart} from '../../src/report/html/tradeoff-chart.js'
import type {ReportCandidate, ReportGateRow} from '../../src/report/html/types.js'

const metric = (cohort: string, value: number) => ({cohort, metric: 'perplexity', value, ciLow: value - 0.1, ciHigh: value + 0.1, n: 40})

function row(cohort: string, delta: number, limit = 0.05): ReportGateRow {
  return {
    ruleIndex: 0, rule: 'perplexity maxRise 0.05 relative', cohort, metric: 'perplexity', baseline: 6, candidate: 6 * (1 + delta), delta, ciLow: delta - 0.01, ciHigh: delta + 0.01,
    limit, limitKind: 'maxRise', limitSide: 'atMost', relative: true, records: 40, inconclusive: false, recordsNeeded: null, pValue: null, adjustedP: null, decided: null,
    status: delta > limit ? 'fail' : 'pass', message: '',
  } as ReportGateRow
}

function candidate(label: string, method: 'full' | 'lora', target: number, ood: number[], extra: Partial<ReportCandidate> = {}): ReportCandidate {
  return {
    label, lr: 1e-4, method, replay: 0, interpolate: 1, status: 'completed', statusReason: null, stepsTotal: 10, stepsDone: 10, finalTrainLoss: 1, finalValLoss: 1,
    verdict: ood.some((d) => d > 0.05) ? 'fail' : 'pass', steps: [], plannedLr: null, metrics: [metric('target:food', target), metric('ood:brown-news', 7)],
    gate: {id: 1, verdict: 'pass', confidence: 0.95, baselineLabel: 'base', results: ood.map((d, i) => row(`ood:brown-${i}`, d)), failures: []},
    ...extra,
  }
}

describe('the trade-off chart', () => {
  it('plots target gain against the worst OOD perplexity change per candidate, by method and remedy, with the gate limit', () => {
    const base = {label: 'base', metrics: [metric('target:food', 8), metric('ood:brown-news', 7)]}
    const chart = tradeoffChart(base, [
      candidate('lr-1e-3', 'full', 6, [0.02, 0.09]),
      candidate('lr-1e-3 lora-r8', 'lora', 7, [0.01, 0.03]),
      candidate('lr-1e-3 replay-0.25', 'full', 6.4, [0.04], {replay: 0.25}),
      {...candidate('lr-1e-3 diverged', 'full', 6, []), metrics: [], gate: null, status: 'diverged'},
    ])!
    assert.equal(chart.id, 'chart-tradeoff')
    assert.equal(chart.section, 'tradeoff')
    const layers = (chart.spec as unknown as {layer: Array<{data: {values: Array<Record<string, unknown>>}}>}).layer
    const points = layers[0].data.values
    assert.deepEqual(points.map((p) => [p.label, p.method, p.remedy, p.verdict]), [
      ['lr-1e-3', 'full', 'none', 'fail'], ['lr-1e-3 lora-r8', 'lora', 'none', 'pass'], ['lr-1e-3 replay-0.25', 'full', 'replay 0.25', 'pass'],
    ])
    assert.deepEqual(points.map((p) => Number((p.gain as number).toFixed(4))), [0.25, 0.125, 0.2])
    assert.deepEqual(points.map((p) => p.ood), [0.09, 0.03, 0.04])
    assert.deepEqual(layers[1].data.values, [{limit: 0.05}])
  })

  it('is left out when nothing has target perplexity and a perplexity rule', () => {
    assert.equal(tradeoffChart(null, []), null)
    const base = {label: 'base', metrics: [metric('target:food', 8)]}
    assert.equal(tradeoffChart(base, [{...candidate('x', 'full', 7, []), gate: null}]), null)
  })
})

describe('the sweep table with several seeds', () => {
  it('adds one line per configuration with the spread of its seeds', async () => {
    const {seedSpread} = await import('../../src/report/sweep-table.js')
    const summary = (label: string, target: number, ood: number, verdict: 'pass' | 'fail') => ({
      id: 1, label, lr: 1e-4, method: 'lora' as const, rank: 8, alpha: 16, replay: 0, interpolate: 1, seed: 1, status: 'completed', statusReason: null, stepsDone: 10, stepsTotal: 10,
      finalTrainLoss: 1, evaluationId: 1, verdict, gateId: 1, target: {relevance: null, relevanceDelta: null, perplexity: 5, perplexityChange: target},
      worstOod: {cohort: 'ood:brown-news', metric: 'perplexity', delta: ood, ciLow: ood - 0.01, ciHigh: ood + 0.01, relative: true}, failRateChange: null, failedRules: [],
    })
    assert.deepEqual(seedSpread([summary('lr-1e-4 lora-r8 seed-1', -0.04, 0.01, 'pass'), summary('lr-1e-4 lora-r8 seed-2', -0.051, 0.062, 'fail'), summary('lr-1e-3', -0.2, 0.1, 'fail')]), [
      'lr-1e-4 lora-r8 over 2 seeds; seeds: target perplexity -5.1% to -4.0%, worst OOD perplexity +1.0% to +6.2%, own verdicts pass/fail',
    ])
    // Gated on the seeds' mean: the configuration's verdict leads, each seed's own verdict stays visible.
    const configuration = {label: 'lr-1e-4 lora-r8', seeds: 2, evaluationId: 9, gateId: 9, verdict: 'fail' as const, target: {relevance: null, relevanceDelta: null, perplexity: 5, perplexityChange: -0.0455}, worstOod: null, failedRules: ['ood-perplexity (ood:brown-news)']}
    const seeded = [summary('lr-1e-4 lora-r8 seed-1', -0.04, 0.01, 'fail'), summary('lr-1e-4 lora-r8 seed-2', -0.051, 0.062, 'fail')].map((c, i) => ({...c, seedVerdict: (['pass', 'fail'] as const)[i], configuration}))
    assert.deepEqual(seedSpread(seeded), [
      'lr-1e-4 lora-r8: fail on the mean of 2 seeds (target perplexity -4.5%; fails ood-perplexity (ood:brown-news)); seeds: target perplexity -5.1% to -4.0%, worst OOD perplexity +1.0% to +6.2%, own verdicts pass/fail',
    ])
    assert.deepEqual(seedSpread([summary('lr-1e-3', -0.2, 0.1, 'fail')]), [])
  })
})
