import {formatDelta, formatInterval, formatLimit, formatValue} from '../../gate/format.js'
import {recordsNeededFromFields, recordsNeededWords} from '../../gate/records-needed.js'
import {formatLr} from '../../schedule/describe.js'
import {escapeHtml as e} from './escape.js'
import type {ReportCandidate, ReportGate, RunReportData} from './types.js'
import type {RecordFailure} from '../../store/evaluations.js'

/** A table from a header and rows of already-escaped cells; `numeric` columns align right. */
function table(head: readonly string[], rows: readonly string[][], numeric: readonly number[] = [], className = ''): string {
  const cls = (i: number) => (numeric.includes(i) ? ' class="num"' : '')
  const thead = `<thead><tr>${head.map((h, i) => `<th${cls(i)}>${e(h)}</th>`).join('')}</tr></thead>`
  const tbody = rows.map((r) => `<tr>${r.map((cell, i) => `<td${cls(i)}>${cell}</td>`).join('')}</tr>`).join('\n')
  return `<table${className === '' ? '' : ` class="${className}"`}>${thead}<tbody>\n${tbody}\n</tbody></table>`
}

const loss = (v: number | null): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(4))

/** A verdict or status as a coloured badge ("pass (?)", inconclusive, is neutral: it passes but the data cannot show the limit holds). */
function badge(text: string | null): string {
  if (text === null) return '–'
  const tone = text === 'pass' || text === 'completed' ? 'good' : text === 'fail' || text === 'diverged' || text === 'failed' || text === 'error' ? 'bad' : 'neutral'
  return `<span class="badge ${tone}">${e(text)}</span>`
}

/** The rules × cohorts that pass only inconclusively, e.g. "relevance maxDrop 0.01 on target:food (about 1,417 records would be needed; have 20)", worded by recordsNeededWords. */
export function inconclusiveRules(candidate: ReportCandidate): string[] {
  return (candidate.gate?.results ?? [])
    .filter((r) => r.status === 'pass' && r.inconclusive === true)
    .map((r) => `${r.rule} on ${r.cohort} (${recordsNeededWords(recordsNeededFromFields({recordsNeeded: r.recordsNeeded ?? null, recordsNeededOver: r.recordsNeededOver, records: r.records}))}; have ${r.records ?? '?'})`)
}

/** The rules × cohorts a candidate failed, e.g. "relevance maxDrop 0.02 on ood:animal". */
export function failingRules(candidate: ReportCandidate): string[] {
  return (candidate.gate?.results ?? []).filter((r) => r.status === 'fail').map((r) => `${r.rule} on ${r.cohort}`)
}

/** One row per candidate: its learning rate, how training ended, the gate's verdict and what failed. */
export function verdictTable(data: RunReportData): string {
  const rows = data.candidates.map((c) => {
    const recommended = c.label === data.run.recommendedLabel
    const failing = failingRules(c)
    const open = inconclusiveRules(c).map((f) => `(?) ${e(f)}`)
    const why = failing.length > 0 || open.length > 0 ? [...failing.map((f) => e(f)), ...open].join('<br/>') : c.verdict === 'error' && c.statusReason !== null ? e(c.statusReason) : '–'
    return [
      `${e(c.label)}${recommended ? ' <span class="badge good" title="recommended">★ recommended</span>' : ''}`,
      e(formatLr(c.lr)),
      `${badge(c.status)}${c.statusReason !== null && c.status !== 'completed' ? ` <span class="muted">${e(c.statusReason)}</span>` : ''}`,
      `${e(c.curve.label)}${c.curve.kind === 'healthy' || c.curve.kind === 'no-curve' ? '' : ` <span class="muted">${e(c.curve.reason)}</span>`}`,
      `${c.stepsDone} / ${c.stepsTotal}`,
      loss(c.finalTrainLoss),
      loss(c.finalValLoss),
      badge(c.verdict === 'pass' && open.length > 0 ? 'pass (?)' : c.verdict),
      why,
    ]
  })
  return table(['candidate', 'lr', 'status', 'curve', 'steps', 'final train loss', 'final val loss', 'verdict', 'failing and inconclusive (?) rules'], rows, [1, 4, 5, 6], 'verdicts')
}

/** A candidate's gate rows: rule, cohort, baseline, candidate, delta, CI, limit, status. */
export function gateTable(gate: ReportGate): string {
  const ci = `${Math.round(gate.confidence * 100)}% CI`
  const rows = gate.results.map((r) => [
    e(r.rule),
    e(r.cohort),
    e(formatValue(r.metric, r.baseline)),
    e(formatValue(r.metric, r.candidate)),
    e(formatDelta(r.metric, r.relative === true, r.delta)),
    e(formatInterval(r.metric, r.relative === true, r.ciLow, r.ciHigh)),
    e(r.limitSide === null ? (r.limit === null ? '–' : String(r.limit)) : formatLimit(r.metric, r.relative === true, r.limitSide, r.limit)),
    `${badge(r.status === 'pass' && r.inconclusive === true ? 'pass (?)' : r.status)}${r.status === 'pass' && r.inconclusive !== true ? '' : ` <span class="muted">${e(r.message)}</span>`}`,
  ])
  return table(['rule', 'cohort', 'baseline', 'candidate', 'delta', ci, 'limit', 'status'], rows, [2, 3, 4, 5, 6], 'gate')
}

/** Every candidate's gate table under a heading, or a line saying why it has none. */
export function gateSections(data: RunReportData): string {
  return data.candidates
    .map((c) => {
      const heading = `<h3>${e(c.label)}${c.gate === null ? '' : ` vs ${e(c.gate.baselineLabel)}: ${badge(c.gate.verdict)} <span class="muted">gate #${c.gate.id}</span>`}</h3>`
      if (c.gate === null) return `${heading}\n<p class="muted">No gate decision (status ${e(c.status)}${c.verdict === null ? '' : `, verdict ${e(c.verdict)}`}).</p>`
      return `${heading}\n${gateTable(c.gate)}${failuresTable(c.gate.failures)}`
    })
    .join('\n')
}

/** Failed records shown per candidate; the rest are counted. */
const FAILURES_SHOWN = 20

/** The candidate's failed records with each evaluator's reason, under its gate table. */
export function failuresTable(failures: readonly RecordFailure[]): string {
  if (failures.length === 0) return ''
  const rows = failures.slice(0, FAILURES_SHOWN).map((f) => [e(f.id), e(f.cohort), e(f.metric), e(formatValue(f.metric, f.value)), e(f.reason ?? '–')])
  const more = failures.length > FAILURES_SHOWN ? `\n<p class="muted">… and ${failures.length - FAILURES_SHOWN} more failing scores.</p>` : ''
  return `\n<h4>Failed records (${failures.length})</h4>\n${table(['record', 'cohort', 'evaluator', 'score', 'reason'], rows, [3], 'failures')}${more}`
}
