import {formatDelta, formatInterval, formatLimit, formatP, formatValue} from '../gate/format.js'
import type {GateView} from '../gate/types.js'
import type {StoredGateRow} from '../store/gates.js'
import {markdownText} from '../util/inert.js'

const ICON: Record<string, string> = {pass: '✅ pass', fail: '❌ fail', skipped: '⏭️ skipped'}

/** Outside names (labels, cohorts, rules) and messages holding them: no HTML, no Markdown, one line. */
export function cell(text: string): string {
  return markdownText(text)
}

/**
 * A Markdown summary of a gate decision (for `--markdown` and `$GITHUB_STEP_SUMMARY`): verdict,
 * what was compared, one table row per rule × cohort, then the reasons for failing and inconclusive rows.
 */
export function gateMarkdown(report: GateView): string {
  const lines = [...markdownHead(report), ...report.results.map(markdownRow)]
  const failed = report.results.filter((r) => r.status === 'fail')
  const notes = report.results.filter((r) => r.inconclusive === true)
  if (failed.length > 0) lines.push('', '**Failed**', '', ...failed.map((r) => `- ${cell(r.rule)} on <code>${cell(r.cohort)}</code>: ${cell(r.message)}`))
  if (notes.length > 0) lines.push('', '**Inconclusive**', '', ...notes.map((r) => `- ${cell(r.rule)} on <code>${cell(r.cohort)}</code>: ${cell(r.message)}`))
  lines.push('')
  return lines.join('\n')
}

/** The verdict heading, the line saying what was compared, and the table's header rows. */
export function markdownHead(report: GateView): string[] {
  const pct = `${Math.round(report.confidence * 100)}%`
  return [
    `### ${report.verdict === 'pass' ? '✅' : '❌'} lrgate check: ${report.verdict}`,
    '',
    `Candidate **${cell(report.candidate.label)}** (evaluation #${report.candidate.id}) vs baseline **${cell(report.baseline.label)}** (evaluation #${report.baseline.id}) · ${report.sharedRecords} shared records · family-wise ${pct}: conditional Holm over one-sided tests (studentized, paired bootstrap SE, ${report.resamples} resamples, seed ${report.seed}); an interval wholly beyond its limit always fails`,
    '',
    `| rule | cohort | baseline | candidate | delta | ${pct} CI | limit | adj. p | status |`,
    '|---|---|--:|--:|--:|---|---|--:|---|',
  ]
}

/** One rule × cohort row of the Markdown table. */
export function markdownRow(r: StoredGateRow): string {
  const rel = r.relative === true
  return `| ${cell(r.rule)} | ${cell(r.cohort)} | ${formatValue(r.metric, r.baseline)} | ${formatValue(r.metric, r.candidate)} | ${formatDelta(r.metric, rel, r.delta)} | ${formatInterval(r.metric, rel, r.ciLow, r.ciHigh)} | ${cell(formatLimit(r.metric, rel, r.limitSide, r.limit))} | ${formatP(r.adjustedP)} | ${ICON[r.status]}${r.decided === true ? ' (decided)' : ''}${r.inconclusive === true ? ' (inconclusive)' : ''} |`
}
