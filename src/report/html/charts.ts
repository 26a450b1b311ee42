import type {ChartSpec} from './chart-spec.js'
import {cohortMetricCharts} from './cohort-charts.js'
import {modelColors} from './colors.js'
import {lossChart, lrScheduleChart} from './training-charts.js'
import {tradeoffChart} from './tradeoff-chart.js'
import type {ReportEvaluation, RunReportData} from './types.js'

/** The label the base model's evaluation carries in every chart. */
export const BASE_LABEL = 'base'

/**
 * The report's charts, in page order: the trade-off of target gain against forgetting, the LR schedule, the losses (when any step was recorded), then
 * one per-cohort bar chart per metric (when anything was evaluated). Colours match across charts.
 */
export function reportCharts(data: RunReportData): ChartSpec[] {
  const labels = data.candidates.map((c) => c.label)
  const colors = modelColors(data.base === null ? null : BASE_LABEL, labels)
  // The trade-off (target gain vs forgetting, by method) first: the chart people look at first.
  const tradeoff = tradeoffChart(data.base, data.candidates)
  const charts: ChartSpec[] = [...(tradeoff ? [tradeoff] : []), lrScheduleChart(data.candidates, colors)]
  const loss = lossChart(data.candidates, colors)
  if (loss !== null) charts.push(loss)
  const evaluations: ReportEvaluation[] = [
    ...(data.base === null ? [] : [{label: BASE_LABEL, metrics: data.base.metrics}]),
    ...data.candidates.filter((c) => c.metrics.length > 0).map((c) => ({label: c.label, metrics: c.metrics})),
  ]
  charts.push(...cohortMetricCharts(evaluations, colors))
  return charts
}
