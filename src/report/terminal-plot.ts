/** One line of a terminal plot: y values, at x = 0, 1, 2, … unless `x` is given. */
export interface PlotSeries {
  label: string
  y: readonly number[]
  x?: readonly number[]
}

export interface PlotOptions {
  /** Total width in columns, labels included (default 72). */
  width?: number
  /** Rows of the plotting area (default 17: odd, so the middle row is the middle value). */
  height?: number
  logX?: boolean
  logY?: boolean
  /** Shown above the y axis. */
  yLabel?: string
  /** Shown under the x axis, between its min and max. */
  xLabel?: string
  formatY?: (value: number) => string
  formatX?: (value: number) => string
}

/** Markers of the series, in order; a cell two series share shows the later one. */
const MARKERS = ['*', 'o', '+', 'x', '#', '@']

/** Compact numbers for axis labels: 3 significant digits, exponent form when very small or large. */
export function formatAxis(value: number): string {
  if (value === 0) return '0'
  const size = Math.abs(value)
  return size >= 1e-2 && size < 1e5 ? String(Number(value.toPrecision(3))) : value.toExponential(2)
}

interface Range {
  lo: number
  hi: number
}

/** The range of the finite (and, on a log axis, positive) values, widened when it is a point. */
function rangeOf(values: number[], log: boolean): Range | null {
  // a loop, not Math.min(...values): spreading a million values overflows the stack
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue
    lo = Math.min(lo, v)
    hi = Math.max(hi, v)
  }
  if (lo > hi) return null
  if (lo === hi) {
    // a flat line sits in the middle of the plot
    const pad = log ? 2 : Math.abs(lo) * 0.1 || 1
    lo = log ? lo / pad : lo - pad
    hi = log ? hi * pad : hi + pad
  }
  return {lo, hi}
}

/** Position of v in [0, 1] along a range (log scale if asked). */
function unit(v: number, range: Range, log: boolean): number {
  return log ? Math.log(v / range.lo) / Math.log(range.hi / range.lo) : (v - range.lo) / (range.hi - range.lo)
}

/**
 * Draws one or more series as a plain-text line plot: y axis labelled with its max, mid and min,
 * x axis with its min and max, a legend when there are several series. Points that are not
 * finite (or ≤ 0 on a log axis) are skipped; consecutive points are joined.
 *
 * @example console.log(renderPlot([{label: 'lr', y: lrs}], {xLabel: 'step', yLabel: 'lr'}))
 */
export function renderPlot(series: readonly PlotSeries[], options: PlotOptions = {}): string {
  const width = options.width ?? 72
  const height = Math.max(3, options.height ?? 17)
  const logX = options.logX ?? false
  const logY = options.logY ?? false
  const formatY = options.formatY ?? formatAxis
  const formatX = options.formatX ?? formatAxis
  const xsOf = (s: PlotSeries) => s.x ?? s.y.map((_, i) => i)
  const xRange = rangeOf(series.flatMap((s) => xsOf(s)), logX)
  const yRange = rangeOf(series.flatMap((s) => s.y), logY)
  if (xRange === null || yRange === null) return '(nothing to plot)'

  // 1) the y labels fix the gutter, the gutter fixes the plotting width
  const midRow = Math.round((height - 1) / 2)
  const midShare = 1 - midRow / (height - 1)
  const mid = logY ? yRange.lo * (yRange.hi / yRange.lo) ** midShare : yRange.lo + (yRange.hi - yRange.lo) * midShare
  const yLabels = new Map<number, string>([
    [0, formatY(yRange.hi)],
    [midRow, formatY(mid)],
    [height - 1, formatY(yRange.lo)],
  ])
  const gutter = Math.max(...[...yLabels.values()].map((l) => l.length)) + 1
  const plotWidth = Math.max(8, width - gutter - 1)
  const grid = Array.from({length: height}, () => Array<string>(plotWidth).fill(' '))

  // 2) each series: map points to cells, join consecutive points with the cells between them
  series.forEach((s, index) => {
    const marker = MARKERS[index % MARKERS.length]
    const xs = xsOf(s)
    let previous: [number, number] | null = null
    for (let i = 0; i < s.y.length; i++) {
      const x = xs[i]
      const y = s.y[i]
      if (!Number.isFinite(x) || !Number.isFinite(y) || (logX && x <= 0) || (logY && y <= 0)) {
        previous = null
        continue
      }
      const col = Math.round(unit(x, xRange, logX) * (plotWidth - 1))
      const row = Math.round((1 - unit(y, yRange, logY)) * (height - 1))
      const [fromCol, fromRow] = previous ?? [col, row]
      const n = Math.max(Math.abs(col - fromCol), Math.abs(row - fromRow), 1)
      for (let k = 1; k <= n; k++) {
        grid[Math.round(fromRow + ((row - fromRow) * k) / n)][Math.round(fromCol + ((col - fromCol) * k) / n)] = marker
      }
      previous = [col, row]
    }
  })

  // 3) axes, labels, legend
  const lines: string[] = []
  if (options.yLabel) lines.push(options.yLabel)
  grid.forEach((cells, row) => {
    const label = yLabels.get(row)
    lines.push(`${(label ?? '').padStart(gutter - 1)} ${label === undefined ? '|' : '+'}${cells.join('')}`.trimEnd())
  })
  lines.push(`${' '.repeat(gutter)}+${'-'.repeat(plotWidth)}`)
  const xLo = formatX(xRange.lo)
  const xHi = formatX(xRange.hi)
  const middle = options.xLabel ?? ''
  const room = Math.max(1, plotWidth + 1 - xLo.length - xHi.length - middle.length)
  const left = Math.floor(room / 2)
  lines.push(`${' '.repeat(gutter)}${xLo}${' '.repeat(left)}${middle}${' '.repeat(room - left)}${xHi}`)
  if (series.length > 1) {
    lines.push(`${' '.repeat(gutter)}${series.map((s, i) => `${MARKERS[i % MARKERS.length]} ${s.label}`).join('   ')}`)
  }
  return lines.join('\n')
}
