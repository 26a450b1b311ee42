import {formatDelta, formatInterval, formatLimit, formatValue} from '../gate/format.js'
import type {GateView} from '../gate/types.js'
import {markdownText} from '../util/inert.js'

const ICON: Record<string, string> = {pass: '✅ pass', fail: '❌ fail', skipped: '⏭️ skipped'}

/** Outside names (labels, cohorts, rules) and messages holding them: no HTML, no Markdown, one line. */
function cell(text: string): string {
  return markdownText(text)
}

/**
 * A Markdown summary of a gate decision (for `--markdown` and `$GITHUB_STEP_SUMMARY`): verdict,
 * what was compared, one table row per rule × cohort, then the reasons for failing and inconclusive rows.
 */
export function gateMarkdown(report: GateView): string {
  const pct = `${Math.round(report.confidence * 100)}%`
  const lines = [
    `### ${report.verdict === 'pass' ? '✅' : '❌'} lrgate check: ${report.verdict}`,
    '',
    `Candidate **${cell(report.candidate.label)}** (evaluation #${report.candidate.id}) vs baseline **${cell(report.baseline.label)}** (evaluation #${report.baseline.id}) · ${report.sharedRecords} shared records · ${pct} paired bootstrap CI, ${report.resamples} resamples, seed ${report.seed}`,
    '',
    `| rule | cohort | baseline | candidate | delta | ${pct} CI | limit | status |`,
    '|---|---|--:|--:|--:|---|---|---|',
    ...report.results.map(
      (r) =>
        `| ${cell(r.rule)} | ${cell(r.cohort)} | ${formatValue(r.metric, r.baseline)} | ${formatValue(r.metric, r.candidate)} | ${formatDelta(r.metric, r.relative === true, r.delta)} | ${formatInterval(r.metric, r.relative === true, r.ciLow, r.ciHigh)} | ${cell(formatLimit(r.metric, r.relative === true, r.limitSide, r.limit))} | ${ICON[r.status]}${r.inconclusive === true ? ' (inconclusive)' : ''} |`,
    ),
  ]
  const failed = report.results.filter((r) => r.status === 'fail')
  const notes = report.results.filter((r) => r.inconclusive === true)
  if (failed.length > 0) lines.push('', '**Failed**', '', ...failed.map((r) => `- ${cell(r.rule)} on <code>${cell(r.cohort)}</code>: ${cell(r.message)}`))
  if (notes.length > 0) lines.push('', '**Inconclusive**', '', ...notes.map((r) => `- ${cell(r.rule)} on <code>${cell(r.cohort)}</code>: ${cell(r.message)}`))
  lines.push('')
  return lines.join('\n')
}
