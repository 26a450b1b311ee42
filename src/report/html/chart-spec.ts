import type {TopLevelSpec} from 'vega-lite'

/** One chart of the report: a vega-lite spec with the heading and caption the page shows around it. */
export interface ChartSpec {
  /** HTML id of the chart's figure (stable, for links and tests). */
  id: string
  title: string
  caption: string
  /** The page section it is shown in. */
  section: 'tradeoff' | 'training' | 'cohorts'
  spec: TopLevelSpec
}

/** Width and height of one chart's plot area, in px: two fit side by side in a 1280 px window. */
export const CHART_SIZE = {width: 500, height: 250}

/** Common look: no outer border, light grid, text sized for reading on screen. */
export const CHART_CONFIG = {
  view: {stroke: null},
  axis: {labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8e8'},
  legend: {labelFontSize: 11, titleFontSize: 12, labelLimit: 220},
  font: 'Helvetica, Arial, sans-serif',
} as const

/**
 * At most `max` points of a series, evenly spaced, always keeping the first and last: a 20,000-step
 * run would otherwise put 20,000 path vertices per line into the SVG.
 *
 * @example thinSeries([0, 1, 2, 3, 4], 3) // [0, 2, 4]
 */
export function thinSeries<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points]
  const every = (points.length - 1) / (max - 1)
  const out: T[] = []
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * every)])
  return out
}

/** A slug usable as an HTML id: "failRate" → "failrate", "json-valid" → "json-valid". */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'chart'
}
