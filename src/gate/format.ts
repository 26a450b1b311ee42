import {FAIL_RATE_METRIC} from '../../evaluators/names.js'

/**
 * How gate numbers read in tables, messages and Markdown: fail rates as percentages and their
 * changes in points, relative changes as signed percentages, everything else with 3 decimals.
 *
 * @example formatValue('failRate', 0.0333) // "3.3%"
 */
export function formatValue(metric: string, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–'
  return metric === FAIL_RATE_METRIC ? `${(v * 100).toFixed(1)}%` : v.toFixed(3)
}

/** A delta, an interval end or a limit on the delta's scale. @example formatDelta('relevance', false, -0.0213) // "-0.021" */
export function formatDelta(metric: string, relative: boolean, v: number | null): string {
  if (v === null || Number.isNaN(v)) return '–'
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '-∞'
  const sign = v > 0 ? '+' : v < 0 ? '-' : ''
  const abs = Math.abs(v)
  if (relative) return `${sign}${(abs * 100).toFixed(1)}%`
  if (metric === FAIL_RATE_METRIC) return `${sign}${(abs * 100).toFixed(1)} pt`
  return `${sign}${abs.toFixed(3)}`
}

/** The interval as "[lo, hi]". */
export function formatInterval(metric: string, relative: boolean, lo: number | null, hi: number | null): string {
  if (lo === null || hi === null) return '–'
  return `[${formatDelta(metric, relative, lo)}, ${formatDelta(metric, relative, hi)}]`
}

/** The limit as the condition on the delta, e.g. "≥ -0.020" or "≤ +5.0%". */
export function formatLimit(metric: string, relative: boolean, side: 'atLeast' | 'atMost' | null, bound: number | null): string {
  if (side === null || bound === null) return '–'
  return `${side === 'atLeast' ? '≥' : '≤'} ${formatDelta(metric, relative, bound)}`
}

/** A p-value: 3 significant digits, scientific below 0.001, "<1e-300" at the bottom. @example formatP(0.0123) // "0.0123" */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '–'
  if (p < 1e-300) return '<1e-300'
  return p < 0.001 ? p.toExponential(1) : String(Number(p.toPrecision(3)))
}
