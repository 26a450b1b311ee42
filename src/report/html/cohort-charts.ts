import {FAIL_RATE_METRIC} from '../../../evaluators/names.js'
import {CHART_CONFIG, CHART_SIZE, type ChartSpec, slug} from './chart-spec.js'
import {type ModelColors, restrictColors} from './colors.js'
import type {ReportEvaluation} from './types.js'

// Which way is better for the built-in metrics (user metrics get no hint).
const LOWER_IS_BETTER = new Set(['hallucination', 'perplexity', FAIL_RATE_METRIC])
const HIGHER_IS_BETTER = new Set(['relevance', 'json-valid', 'exact-match', 'contains', 'regex'])

interface BarRow {
  model: string
  cohort: string
  value: number
  ciLow: number | null
  ciHigh: number | null
  n: number
}

/** The metrics of some evaluations in the order they first appear, fail rate last. */
export function metricOrder(evaluations: readonly ReportEvaluation[]): string[] {
  const seen = [...new Set(evaluations.flatMap((e) => e.metrics.map((m) => m.metric)))]
  return [...seen.filter((m) => m !== FAIL_RATE_METRIC), ...seen.filter((m) => m === FAIL_RATE_METRIC)]
}

/**
 * One grouped bar chart per metric: a group of bars per cohort, one bar per evaluation (base first,
 * then the candidates), with the evaluation's bootstrap confidence interval as a whisker.
 *
 * @example cohortMetricCharts([base, ...candidates], colors).map((c) => c.title) // ['relevance per cohort', …]
 */
export function cohortMetricCharts(evaluations: readonly ReportEvaluation[], colors: ModelColors): ChartSpec[] {
  return metricOrder(evaluations).map((metric) => metricChart(metric, evaluations, colors))
}

function metricChart(metric: string, evaluations: readonly ReportEvaluation[], colors: ModelColors): ChartSpec {
  const values: BarRow[] = []
  for (const e of evaluations) {
    for (const m of e.metrics) {
      if (m.metric !== metric || !Number.isFinite(m.value)) continue
      const ci = m.ciLow !== null && m.ciHigh !== null && Number.isFinite(m.ciLow) && Number.isFinite(m.ciHigh)
      values.push({model: e.label, cohort: m.cohort, value: m.value, ciLow: ci ? m.ciLow : null, ciHigh: ci ? m.ciHigh : null, n: m.n})
    }
  }
  const models = [...new Set(values.map((v) => v.model))]
  const cohorts = [...new Set(values.map((v) => v.cohort))]
  const direction = LOWER_IS_BETTER.has(metric) ? ' (lower is better)' : HIGHER_IS_BETTER.has(metric) ? ' (higher is better)' : ''
  const x = {field: 'cohort', type: 'nominal', title: 'cohort', sort: cohorts, axis: {labelAngle: -20, labelLimit: 160}} as const
  const xOffset = {field: 'model', type: 'nominal', sort: models, scale: {paddingInner: 0.1}} as const
  const yTitle = metric === FAIL_RATE_METRIC ? 'fail rate' : metric
  return {
    id: `chart-metric-${slug(metric)}`,
    section: 'cohorts',
    title: `${metric} per cohort`,
    caption: `${metric}${direction} of the base model and each candidate per cohort; whiskers: bootstrap confidence interval.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      ...CHART_SIZE,
      config: CHART_CONFIG,
      data: {values},
      layer: [
        {
          mark: {type: 'bar'},
          encoding: {
            x,
            xOffset,
            y: {field: 'value', type: 'quantitative', title: yTitle},
            color: {field: 'model', type: 'nominal', title: 'evaluation', scale: restrictColors(colors, models), sort: null},
          },
        },
        {
          transform: [{filter: 'isValid(datum.ciLow) && isValid(datum.ciHigh)'}],
          mark: {type: 'errorbar', ticks: true, color: '#222'},
          // The same axis title as the bars', so the shared axis is not titled "relevance, ciLow".
          encoding: {x, xOffset, y: {field: 'ciLow', type: 'quantitative', title: yTitle}, y2: {field: 'ciHigh'}},
        },
      ],
    },
  }
}
