import type {GateView} from '../gate/types.js'
import type {StoredGateRow} from '../store/gates.js'
import {cell, gateMarkdown, markdownHead, markdownRow} from './markdown.js'

/** GitHub refuses (and then shows nothing of) a job summary over 1 MiB per step. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024

/** Where the complete report is, for the note under a shortened summary. */
export interface FullReports {
  markdown?: string
  junit?: string
}

/**
 * The gate's Markdown for `$GITHUB_STEP_SUMMARY` within `budget` bytes (UTF-8): the full summary
 * when it fits; otherwise the verdict, then failing rows, then inconclusive rows, then passing and
 * skipped rows while they fit, and a note naming how many rows were left out and where every row
 * is (the --markdown/--junit files, or the flags to write them). Never longer than `budget` unless
 * even the verdict and the note alone exceed it.
 *
 * @example gateStepSummary(report, STEP_SUMMARY_LIMIT - 4096, {junit: 'lrgate-junit.xml'})
 */
export function gateStepSummary(report: GateView, budget: number, full: FullReports = {}): string {
  const whole = gateMarkdown(report)
  if (bytes(whole) <= budget) return whole
  const rank = (r: StoredGateRow) => (r.status === 'fail' ? 0 : r.inconclusive === true ? 1 : 2)
  const ordered = report.results.map((r, i) => ({r, i})).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
  const head = markdownHead(report).join('\n') + '\n'
  const failed = report.results.filter((r) => r.status === 'fail').length
  const inconclusive = report.results.filter((r) => r.inconclusive === true).length
  const where = [full.markdown && `\`${cell(full.markdown)}\` (--markdown)`, full.junit && `\`${cell(full.junit)}\` (--junit)`].filter(Boolean).join(' and ')
  const note = (shown: number) =>
    `\n_${report.results.length - shown} of ${report.results.length} rows left out to stay under GitHub's 1 MiB step-summary limit (${failed} failing and ${inconclusive} inconclusive rows come first). ` +
    (where !== '' ? `Every row is in ${where}._\n` : `Write every row with \`lrgate check --markdown <file> --junit <file>\` and upload them as artifacts._\n`)
  let used = bytes(head) + bytes(note(0)) + 16
  const lines: string[] = []
  for (const {r} of ordered) {
    const line = markdownRow(r) + '\n'
    const size = bytes(line)
    if (used + size > budget) break
    used += size
    lines.push(line)
  }
  return head + lines.join('') + note(lines.length)
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
