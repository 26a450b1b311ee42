import Table from 'cli-table3'

import type {EvaluationSummary} from '../eval/summary.js'
import {formatDelta, formatInterval, formatLimit, formatP, formatValue} from '../gate/format.js'
import type {GateView} from '../gate/types.js'
import type {RecordFailure} from '../store/evaluations.js'
import type {History, RunDetail} from '../store/runs-read.js'
import {inert} from '../util/inert.js'
import {tableLayout} from './table-width.js'

/**
 * A plain cli-table3 table (no colours, so CI logs stay readable). Columns listed in `right` are
 * right-aligned. Every cell is one line (or the lines given as a list) with outside names made inert
 * (src/util/inert.ts); a table
 * wider than tableWidth() (the terminal, 120 columns without one, unlimited with --wide) wraps its cells.
 *
 * @example renderTable(['lr', 'loss'], [['1e-4', '2.31']], [1])
 */
export function renderTable(head: string[], rows: Array<Array<string | readonly string[]>>, right: readonly number[] = []): string {
  // a cell given as lines keeps them (each line made inert on its own)
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'string' ? inert(cell) : cell.map(inert).join('\n'))))
  const table = new Table({
    head,
    style: {head: [], border: [], compact: true},
    colAligns: head.map((_, i) => (right.includes(i) ? 'right' : 'left')),
    ...tableLayout(head, cells),
  })
  table.push(...cells)
  return table.toString()
}

const STATUS: Record<string, string> = {pass: 'pass', fail: 'FAIL', skipped: 'skipped'}

/**
 * The gate's table: one row per rule × cohort with baseline, candidate, delta, interval, limit,
 * conditional-Holm-adjusted p and status ("FAIL *" marks a row that decided the verdict, "(?)" an inconclusive one).
 */
export function gateTable(report: GateView): string {
  const ci = `${Math.round(report.confidence * 100)}% CI`
  return renderTable(
    ['rule', 'cohort', 'baseline', 'candidate', 'delta', ci, 'limit', 'adj. p', 'status'],
    report.results.map((r) => [
      r.rule,
      r.cohort,
      formatValue(r.metric, r.baseline),
      formatValue(r.metric, r.candidate),
      formatDelta(r.metric, r.relative === true, r.delta),
      formatInterval(r.metric, r.relative === true, r.ciLow, r.ciHigh),
      formatLimit(r.metric, r.relative === true, r.limitSide, r.limit),
      formatP(r.adjustedP),
      STATUS[r.status] + (r.decided === true ? ' *' : '') + (r.inconclusive === true ? ' (?)' : ''),
    ]),
    [2, 3, 4, 7],
  )
}

/** The lines under the gate table: the verdict, then why each failing or inconclusive row is so. */
export function gateVerdictLines(report: GateView): string[] {
  const failed = report.results.filter((r) => r.status === 'fail')
  const skipped = report.results.filter((r) => r.status === 'skipped').length
  const head =
    report.verdict === 'pass'
      ? `PASS: ${report.results.length - skipped} rule × cohort checks passed${skipped > 0 ? `, ${skipped} skipped` : ''}`
      : `FAIL: ${failed.length} of ${report.results.length} rule × cohort checks failed: ${[...new Set(failed.map((r) => inert(r.rule)))].join('; ')}`
  const lines = [
    `candidate #${report.candidate.id} "${inert(report.candidate.label)}" vs baseline #${report.baseline.id} "${inert(report.baseline.label)}" on ${report.sharedRecords} shared records (family-wise ${Math.round(report.confidence * 100)}%: conditional Holm over one-sided tests, paired bootstrap SE, ${report.resamples} resamples, seed ${report.seed})`,
    head,
  ]
  for (const r of report.results) {
    if (r.status === 'fail' || r.inconclusive === true) lines.push(`  ${r.status === 'fail' ? 'FAIL' : '(?)'} ${inert(r.rule)} on ${inert(r.cohort)}: ${inert(r.message)}`)
  }
  return lines
}

/** The per-cohort table of `lrgate eval`: each metric as "value [ci low, ci high]". */
export function evaluationTable(summary: EvaluationSummary): string {
  return renderTable(
    ['cohort', 'role', 'records', ...summary.metrics],
    summary.cohorts.map((c) => [
      c.cohort,
      c.role,
      String(c.records),
      ...summary.metrics.map((m) => {
        const v = c.metrics[m]
        if (v === undefined) return '–'
        return `${formatValue(m, v.value)} [${formatValue(m, v.ciLow)}, ${formatValue(m, v.ciHigh)}]`
      }),
    ]),
    [2],
  )
}

/** Failed records shown under eval's table; the rest are counted (all are in --json and the store). */
export const FAILURES_SHOWN = 20

/**
 * The failed records of an evaluation: record, cohort, the evaluator that failed it, its score and
 * the evaluator's reason ("–" when it gave none). Empty when nothing failed.
 */
export function failuresTable(failures: readonly RecordFailure[], shown = FAILURES_SHOWN): string {
  if (failures.length === 0) return ''
  const table = renderTable(
    ['failed record', 'cohort', 'evaluator', 'score', 'reason'],
    failures.slice(0, shown).map((f) => [f.id, f.cohort, f.metric, formatValue(f.metric, f.value), f.reason ?? '–']),
    [3],
  )
  return failures.length > shown ? `${table}
… and ${failures.length - shown} more failing scores (see --json)` : table
}

const short = (iso: string | null) => (iso === null ? '–' : iso.slice(0, 16).replace('T', ' '))
const megabytes = (bytes: number | undefined) => (bytes === undefined ? '–' : `${(bytes / 1e6).toFixed(1)} MB`)
const num = (v: number | null, digits = 4) => (v === null ? '–' : v.toFixed(digits))

/** `lrgate runs list`: a titled table for each kind of history that has rows. */
export function historyTables(history: History & {diskBytes?: Record<number, number>}): string[] {
  const out: string[] = []
  const section = (title: string, head: string[], rows: string[][], right: number[] = []) => {
    out.push(title, rows.length === 0 ? '  (none)' : renderTable(head, rows, right), '')
  }
  section(
    'runs',
    ['id', 'kind', 'name', 'status', 'candidates', 'recommended', 'backend', 'disk', 'created'],
    history.runs.map((r) => [String(r.id), r.kind, r.name ?? '–', r.status, String(r.candidates), r.recommendedLabel ?? '–', r.backend ?? '–', megabytes(history.diskBytes?.[r.id]), short(r.createdAt)]),
    [0, 4, 7],
  )
  section(
    'evaluations',
    ['id', 'label', 'dataset', 'source', 'run', 'created'],
    history.evaluations.map((e) => [String(e.id), e.label, e.datasetRef, e.source, e.runId === null ? '–' : String(e.runId), short(e.createdAt)]),
    [0],
  )
  section(
    'gate decisions',
    ['id', 'candidate', 'baseline', 'verdict', 'failed rows', 'created'],
    history.gates.map((g) => [String(g.id), `#${g.candidateEvaluationId} ${g.candidateLabel}`, `#${g.baselineEvaluationId} ${g.baselineLabel}`, g.verdict, String(g.failed), short(g.createdAt)]),
    [0, 4],
  )
  section(
    'promotions',
    ['id', 'evaluation', 'model', 'note', 'promoted'],
    history.promotions.map((p) => [String(p.id), `#${p.evaluationId} ${p.label}`, p.modelDir ?? '–', p.note ?? '–', short(p.promotedAt)]),
    [0],
  )
  return out
}

/** `lrgate runs show`: the run's header lines and its candidates table. */
export function runTables(detail: RunDetail): string[] {
  const {run} = detail
  return [
    `run #${run.id} ${run.kind}${run.name === null ? '' : ` "${inert(run.name)}"`}: ${run.status}, seed ${run.seed}, backend ${run.backend ?? '–'}`,
    `base model ${run.baseModel ?? '–'}; base evaluation ${detail.baseEvaluation === null ? '–' : `#${detail.baseEvaluation.id} "${inert(detail.baseEvaluation.label)}"`}; recommended ${inert(run.recommendedLabel ?? '–')}`,
    `created ${short(run.createdAt)}, finished ${short(run.finishedAt)}`,
    detail.candidates.length === 0
      ? '(no candidates)'
      : renderTable(
          ['label', 'lr', 'status', 'steps', 'train loss', 'val loss', 'evaluation', 'verdict'],
          detail.candidates.map((c) => [
            c.label + (c.id === run.recommendedCandidateId ? ' *' : ''),
            c.lr.toExponential(1),
            c.status + (c.statusReason === null ? '' : ` (${c.statusReason})`),
            `${c.stepsDone}/${c.stepsTotal}`,
            num(c.finalTrainLoss),
            num(c.finalValLoss),
            c.evaluationId === null ? '–' : `#${c.evaluationId}`,
            c.verdict ?? '–',
          ]),
          [1, 3, 4, 5],
        ),
  ]
}
