import type {ChartSpec} from './chart-spec.js'
import {escapeHtml as e} from './escape.js'
import {gateSections, verdictTable} from './tables.js'
import type {RunReportData} from './types.js'

/** A chart ready for the page: its heading, caption and rendered SVG. */
export type RenderedChart = Omit<ChartSpec, 'spec'> & {svg: string}

// Plain CSS (no `<` or `&`), so the whole page stays well-formed XML.
const STYLE = `
  body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1240px; padding: 0 16px; }
  h1 { font-size: 22px; margin: 0 0 8px; }
  h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
  h3 { font-size: 15px; margin: 18px 0 6px; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 16px; margin: 8px 0; }
  dl.facts dt { color: #666; }
  dl.facts dd { margin: 0; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(600px, 1fr)); gap: 16px; }
  figure { margin: 0; }
  figure svg { max-width: 100%; height: auto; }
  figcaption { color: #555; font-size: 12px; }
  figure h3 { margin: 0 0 4px; }
  table { border-collapse: collapse; margin: 6px 0 12px; }
  th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px; text-align: left; vertical-align: top; }
  th { background: #f5f5f5; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .badge { border-radius: 3px; padding: 0 5px; font-size: 12px; white-space: nowrap; }
  .good { background: #dff3e0; color: #1d6b25; }
  .bad { background: #fbe0df; color: #a12622; }
  .neutral { background: #eee; color: #444; }
  .muted { color: #777; font-size: 12px; }
  pre { background: #f7f7f7; padding: 8px; overflow: auto; font-size: 12px; }
  footer { color: #888; font-size: 12px; margin-top: 32px; }
`

/** The run's facts as a definition list (label, value pairs; values escaped here). */
function facts(data: RunReportData): string {
  const r = data.run
  const pairs: [string, string][] = [
    ['run', `#${r.id}${r.name === null ? '' : ` ${r.name}`} (${r.kind})`],
    ['status', r.status],
    ['created', r.createdAt],
    ['finished', r.finishedAt ?? '–'],
    ['backend', r.backend === null ? '–' : `${r.backend}${r.backendReason === null ? '' : ` (${r.backendReason})`}`],
    ['seed', String(r.seed)],
    ['base model', r.baseModel ?? '–'],
    ['candidates', String(data.candidates.length)],
    ['train dataset', r.trainDataset ?? '–'],
    ['eval dataset', r.evalDataset ?? '–'],
    ['recommended', r.recommendedLabel ?? 'none'],
  ]
  return `<dl class="facts">\n${pairs.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('\n')}\n</dl>`
}

function figure(chart: RenderedChart): string {
  return `<figure id="${e(chart.id)}">\n<h3>${e(chart.title)}</h3>\n${chart.svg}\n<figcaption>${e(chart.caption)}</figcaption>\n</figure>`
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}">\n<h2>${e(title)}</h2>\n${body}\n</section>`
}

/**
 * The whole report as one self-contained HTML file: styles inline, charts as inline SVG, no script
 * and no external resource. The markup is also well-formed XML (void elements closed, text escaped).
 */
export function buildPage(data: RunReportData, charts: readonly RenderedChart[]): string {
  const r = data.run
  const title = `lrgate report: run #${r.id}${r.name === null ? '' : ` ${r.name}`}`
  const grid = (which: RenderedChart['section']) => `<div class="grid">\n${charts.filter((c) => c.section === which).map(figure).join('\n')}\n</div>`
  const cohortCharts = charts.some((c) => c.section === 'cohorts')
  const body = [
    `<header>\n<h1>${e(title)}</h1>\n${facts(data)}\n</header>`,
    ...(charts.some((c) => c.section === 'tradeoff') ? [section('tradeoff', 'Target gain vs forgetting', grid('tradeoff'))] : []),
    section('training', 'Training', grid('training')),
    section('cohorts', 'Per-cohort metrics', cohortCharts ? grid('cohorts') : '<p class="muted">Nothing of this run was evaluated yet.</p>'),
    section('verdicts', 'Verdicts', data.candidates.length > 0 ? verdictTable(data) : '<p class="muted">The run has no candidates.</p>'),
    section('gates', `Gate results against ${gateBaselineName(data)}`, gateSections(data)),
    `<details id="config">\n<summary>Config of the run</summary>\n<pre>${e(JSON.stringify(r.config, null, 2))}</pre>\n</details>`,
    `<footer>Made by lrgate on ${e(data.generatedAt)}.</footer>`,
  ]
  return [
    '<!DOCTYPE html>',
    '<html lang="en" xmlns="http://www.w3.org/1999/xhtml">',
    '<head>',
    '<meta charset="utf-8"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<title>${e(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}

/**
 * What the run's candidates were gated against, named as the sweep summary names it: "the promoted
 * model (label)" when gate.baseline was `promoted` and a promotion was used, "the base model (label)",
 * or the baseline's label.
 */
export function gateBaselineName(data: RunReportData): string {
  const labels = [...new Set(data.candidates.flatMap((c) => (c.gate === null ? [] : [c.gate.baselineLabel])))]
  if (labels.length !== 1) return data.base === null ? 'the base model' : `the base model (${data.base.label})`
  const [label] = labels
  if (data.base !== null && label === data.base.label) return `the base model (${label})`
  const plan = data.run.config as {gate?: {baseline?: unknown}} | null
  return plan?.gate?.baseline === 'promoted' ? `the promoted model (${label})` : label
}
