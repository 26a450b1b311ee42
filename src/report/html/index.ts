import {reportCharts} from './charts.js'
import {escapeHtml} from './escape.js'
import {buildPage, type RenderedChart} from './page.js'
import {renderSvg} from './render.js'
import type {RunReportData} from './types.js'

export type {RunReportData} from './types.js'

/** The HTML report of a run and how many charts (inline SVGs) it holds. */
export interface HtmlReport {
  html: string
  charts: number
}

/**
 * Builds the self-contained HTML report of one run: every chart rendered to SVG in Node and inlined.
 *
 * @example const {html} = await renderRunReport(loadRunReportData(db, 3)); writeFileSync('report.html', html)
 */
export async function renderRunReport(data: RunReportData): Promise<HtmlReport> {
  const charts: RenderedChart[] = []
  for (const chart of reportCharts(data)) {
    const svg = await renderSvg(chart.spec)
    const {spec: _spec, ...shown} = chart
    // Screen readers announce the chart by its title.
    charts.push({...shown, svg: svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(chart.title)}" `)})
  }
  return {html: buildPage(data, charts), charts: charts.length}
}
