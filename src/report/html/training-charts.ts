import {CHART_CONFIG, CHART_SIZE, type ChartSpec, thinSeries} from './chart-spec.js'
import {type ModelColors, restrictColors} from './colors.js'
import type {ReportCandidate} from './types.js'

/** Points per line drawn; enough for a smooth curve at chart width. */
const MAX_POINTS = 400

interface LrPoint {
  model: string
  step: number
  lr: number
  kind: 'ran' | 'planned'
}

/**
 * The learning rate per candidate and step, log scale: solid where the candidate ran (the rate the
 * optimizer applied), dashed where its schedule planned steps it never ran (diverged, pruned, pending).
 * Steps at rate 0 (a warmup starting from 0) cannot sit on a log axis and are left out.
 */
export function lrScheduleChart(candidates: readonly ReportCandidate[], colors: ModelColors): ChartSpec {
  const values: LrPoint[] = []
  for (const c of candidates) {
    const ran = c.steps.filter((s) => s.lr > 0 && Number.isFinite(s.lr)).map((s): LrPoint => ({model: c.label, step: s.step, lr: s.lr, kind: 'ran'}))
    values.push(...thinSeries(ran, MAX_POINTS))
    const last = c.steps.length > 0 ? c.steps[c.steps.length - 1].step : -1
    if (c.plannedLr !== null && last < c.plannedLr.length - 1) {
      // Start the dashed part at the last step run, so the two parts join.
      const planned = c.plannedLr
        .map((lr, step): LrPoint => ({model: c.label, step, lr, kind: 'planned'}))
        .filter((p) => p.step >= Math.max(last, 0) && p.lr > 0 && Number.isFinite(p.lr))
      values.push(...thinSeries(planned, MAX_POINTS))
    }
  }
  const hasPlanned = values.some((v) => v.kind === 'planned')
  // A schedule decaying to 0 would stretch the log axis over many empty decades: show two decades
  // below the smallest base rate and clip what lies under.
  const floor = Math.min(...candidates.map((c) => c.lr)) / 100
  const top = 1.3 * Math.max(floor * 10, ...values.map((v) => v.lr))
  return {
    id: 'chart-lr',
    section: 'training',
    title: 'Learning-rate schedule per candidate',
    caption:
      'The rate applied at each optimizer step (log scale, down to 1/100 of the smallest base rate).' +
      (hasPlanned ? ' Dashed: steps the schedule planned but the candidate did not run.' : ''),
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      ...CHART_SIZE,
      config: CHART_CONFIG,
      data: {values},
      mark: {type: 'line', strokeWidth: 2, clip: true},
      encoding: {
        x: {field: 'step', type: 'quantitative', title: 'optimizer step'},
        y: {field: 'lr', type: 'quantitative', title: 'learning rate', scale: {type: 'log', domain: [floor, top]}, axis: {format: '.0e'}},
        color: {
          field: 'model',
          type: 'nominal',
          title: 'candidate',
          scale: restrictColors(colors, candidates.map((c) => c.label)),
          sort: null,
          legend: {symbolType: 'stroke'},
        },
        strokeDash: {
          field: 'kind',
          type: 'nominal',
          title: 'steps',
          scale: {domain: ['ran', 'planned'], range: [[1, 0], [6, 4]]},
          legend: hasPlanned ? {symbolType: 'stroke'} : null,
        },
      },
    },
  }
}

interface LossPoint {
  model: string
  step: number
  loss: number
  series: 'training' | 'validation'
}

/**
 * Training loss per candidate and step (a line each) with the validation loss on validation steps
 * (dashed with points), log scale so a diverging candidate does not flatten the others. Null when no
 * candidate recorded a step.
 */
export function lossChart(candidates: readonly ReportCandidate[], colors: ModelColors): ChartSpec | null {
  const values: LossPoint[] = []
  const ok = (v: number | null): v is number => v !== null && Number.isFinite(v) && v > 0
  for (const c of candidates) {
    const train = c.steps.filter((s) => ok(s.loss)).map((s): LossPoint => ({model: c.label, step: s.step, loss: s.loss, series: 'training'}))
    values.push(...thinSeries(train, MAX_POINTS))
    for (const s of c.steps) if (ok(s.valLoss)) values.push({model: c.label, step: s.step, loss: s.valLoss, series: 'validation'})
  }
  if (values.length === 0) return null
  const labels = [...new Set(values.map((v) => v.model))]
  const encoding = {
    x: {field: 'step', type: 'quantitative', title: 'optimizer step'},
    y: {field: 'loss', type: 'quantitative', title: 'loss (nats per token)', scale: {type: 'log'}},
    color: {field: 'model', type: 'nominal', title: 'candidate', scale: restrictColors(colors, labels), sort: null, legend: {symbolType: 'stroke'}},
    strokeDash: {
      field: 'series',
      type: 'nominal',
      title: 'loss',
      scale: {domain: ['training', 'validation'], range: [[1, 0], [5, 3]]},
      legend: {symbolType: 'stroke'},
    },
  } as const
  return {
    id: 'chart-loss',
    section: 'training',
    title: 'Training and validation loss per candidate',
    caption: 'Solid: training loss at each step; dashed with points: validation loss on validation steps (log scale).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      ...CHART_SIZE,
      config: CHART_CONFIG,
      data: {values},
      layer: [
        {transform: [{filter: "datum.series === 'training'"}], mark: {type: 'line', strokeWidth: 1.5, opacity: 0.85}, encoding},
        {transform: [{filter: "datum.series === 'validation'"}], mark: {type: 'line', strokeWidth: 2, point: {filled: true, size: 40}}, encoding},
      ],
    },
  }
}
