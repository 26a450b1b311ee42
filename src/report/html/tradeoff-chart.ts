import {CHART_CONFIG, CHART_SIZE, type ChartSpec} from './chart-spec.js'
import type {ReportCandidate, ReportEvaluation} from './types.js'

const METHOD_COLORS = {domain: ['full', 'lora'], range: ['#4e79a7', '#f28e2b']}

interface Point {
  label: string
  method: string
  remedy: string
  gain: number
  ood: number
  verdict: string
}

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)

/** Mean perplexity over the target cohorts (`target:*`) of an evaluation, or null. */
function targetPerplexity(metrics: ReportEvaluation['metrics']): number | null {
  return mean(metrics.filter((m) => m.metric === 'perplexity' && m.cohort.startsWith('target:') && Number.isFinite(m.value)).map((m) => m.value))
}

/** The worst relative perplexity rise over the cohorts a perplexity maxRise rule gated, and that rule's limit. */
function worstOod(c: ReportCandidate): {change: number; limit: number} | null {
  const rows = (c.gate?.results ?? []).filter((r) => r.metric === 'perplexity' && r.limitKind !== 'minGain' && r.delta !== null && r.limit !== null && !r.cohort.startsWith('target:'))
  if (rows.length === 0) return null
  return {change: Math.max(...rows.map((r) => r.delta!)), limit: Math.min(...rows.map((r) => r.limit!))}
}

/**
 * The trade-off at a glance: one point per evaluated candidate, target gain (x: the drop in target
 * perplexity against the base) against its worst out-of-domain perplexity change (y), coloured by
 * method, shaped by remedy; the gate's limit is the dashed line — points above it forget too much.
 * Null when no candidate has both numbers (no perplexity evaluator or rule).
 */
export function tradeoffChart(base: ReportEvaluation | null, candidates: readonly ReportCandidate[]): ChartSpec | null {
  const baseTarget = base === null ? null : targetPerplexity(base.metrics)
  if (baseTarget === null) return null
  const points: Point[] = []
  let limit: number | null = null
  for (const c of candidates) {
    const target = targetPerplexity(c.metrics)
    const ood = worstOod(c)
    if (target === null || ood === null) continue
    limit = limit === null ? ood.limit : Math.min(limit, ood.limit)
    const remedy = [c.replay > 0 ? `replay ${c.replay}` : '', c.interpolate < 1 ? `interpolate ${c.interpolate}` : ''].filter(Boolean).join(' + ') || 'none'
    points.push({label: c.label, method: c.method, remedy, gain: -(target - baseTarget) / baseTarget, ood: ood.change, verdict: c.verdict ?? '–'})
  }
  if (points.length === 0 || limit === null) return null
  const pctAxis = {format: '.0%'}
  return {
    id: 'chart-tradeoff',
    section: 'tradeoff',
    title: 'target gain vs forgetting',
    caption: `Each candidate: how much it improves the target (drop in target perplexity, right is better) against its worst out-of-domain perplexity change (up is worse). Colour: method; shape: remedy. Above the dashed line (the gate's limit, ${(100 * limit).toFixed(0)}%) a candidate forgets too much.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      ...CHART_SIZE,
      config: CHART_CONFIG,
      layer: [
        {
          data: {values: points},
          mark: {type: 'point', filled: true, size: 90, opacity: 0.9},
          encoding: {
            x: {field: 'gain', type: 'quantitative', title: 'target gain (drop in target perplexity)', axis: pctAxis},
            y: {field: 'ood', type: 'quantitative', title: 'worst OOD perplexity change', axis: pctAxis},
            color: {field: 'method', type: 'nominal', title: 'method', scale: METHOD_COLORS},
            shape: {field: 'remedy', type: 'nominal', title: 'remedy'},
            tooltip: [{field: 'label'}, {field: 'verdict'}],
          },
        },
        {
          data: {values: [{limit}]},
          mark: {type: 'rule', strokeDash: [6, 4], color: '#c0392b'},
          encoding: {y: {field: 'limit', type: 'quantitative'}},
        },
      ],
    },
  }
}
