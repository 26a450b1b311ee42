import {formatDelta, formatInterval, formatLimit, formatP, formatValue} from '../gate/format.js'
import {recordsNeededFromFields, recordsNeededWords} from '../gate/records-needed.js'
import type {GateView} from '../gate/types.js'
import type {RecordFailure} from '../store/evaluations.js'
import type {StoredGateRow} from '../store/gates.js'

/** Escapes text for XML attributes and content, dropping characters XML 1.0 cannot hold. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/**
 * JUnit XML of a gate decision: one testsuite, one testcase per rule × cohort; failing rows carry a
 * <failure> whose message has the numbers, skipped rows a <skipped>.
 */
export function gateJunit(report: GateView): string {
  const failures = report.results.filter((r) => r.status === 'fail').length
  const skipped = report.results.filter((r) => r.status === 'skipped').length
  const counts = `tests="${report.results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0"`
  const suite = `lrgate check: ${report.candidate.label} (#${report.candidate.id}) vs ${report.baseline.label} (#${report.baseline.id})`
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lrgate" ${counts}>`,
    `  <testsuite name="${xmlEscape(suite)}" ${counts}>`,
    '    <properties>',
    ...Object.entries({
      verdict: report.verdict,
      candidate: `${report.candidate.id} ${report.candidate.label}`,
      baseline: `${report.baseline.id} ${report.baseline.label}`,
      sharedRecords: String(report.sharedRecords),
      confidence: String(report.confidence),
      resamples: String(report.resamples),
      seed: String(report.seed),
      inconclusive: String(report.results.filter((r) => r.status === 'pass' && r.inconclusive === true).length),
    }).map(([k, v]) => `      <property name="${k}" value="${xmlEscape(v)}"/>`),
    '    </properties>',
    ...report.results.map((r) => testcase(r, report.confidence, report.failures.filter((f) => f.cohort === r.cohort))),
    '  </testsuite>',
    '</testsuites>',
    '',
  ]
  return lines.join('\n')
}

/** Failed records listed in a failure body; the rest are counted. */
const RECORDS_SHOWN = 10

function testcase(r: StoredGateRow, confidence: number, failures: readonly RecordFailure[]): string {
  const open = `    <testcase classname="lrgate.${xmlEscape(r.metric)}" name="${xmlEscape(`${r.rule} [${r.cohort}]`)}" time="0">`
  // An inconclusive pass ("pass (?)" in check) stays a passing testcase, with why and the records needed on its output.
  if (r.status === 'pass' && r.inconclusive === true) return `${open}\n      <system-out>${xmlEscape(`pass (?) inconclusive: ${r.rule} on ${r.cohort}: ${r.message}${needed(r)}`)}</system-out>\n    </testcase>`
  if (r.status === 'pass') return `${open.slice(0, -1)}/>`
  if (r.status === 'skipped') return `${open}\n      <skipped message="${xmlEscape(r.message)}"/>\n    </testcase>`
  const numbers =
    `${r.metric} on ${r.cohort}: baseline ${formatValue(r.metric, r.baseline)}, candidate ${formatValue(r.metric, r.candidate)}, ` +
    `delta ${formatDelta(r.metric, r.relative === true, r.delta)}, ${Math.round(confidence * 100)}% CI ${formatInterval(r.metric, r.relative === true, r.ciLow, r.ciHigh)}, ` +
    `limit ${formatLimit(r.metric, r.relative === true, r.limitSide, r.limit)}` +
    (r.adjustedP === null || r.adjustedP === undefined ? '' : `, adjusted p ${formatP(r.adjustedP)}`)
  return `${open}\n      <failure message="${xmlEscape(numbers)}" type="regression">${xmlEscape([`${r.rule}: ${r.message}`, ...failedRecords(failures)].join('\n'))}</failure>\n    </testcase>`
}

/** "; about 1,417 records would be needed (have 20)" (recordsNeededWords) unless the message already says how many. */
function needed(r: StoredGateRow & {recordsNeededOver?: number | null}): string {
  if (/records would be needed|would settle/.test(r.message)) return ''
  const need = recordsNeededFromFields({recordsNeeded: r.recordsNeeded ?? null, recordsNeededOver: r.recordsNeededOver, records: r.records})
  if (need.kind === 'unknown') return ''
  return `; ${recordsNeededWords(need)} (have ${r.records ?? '?'})`
}

/** The candidate's failed records of the row's cohort, each with the evaluator that failed it and its reason. */
function failedRecords(failures: readonly RecordFailure[]): string[] {
  if (failures.length === 0) return []
  const lines = failures.slice(0, RECORDS_SHOWN).map((f) => `  ${f.id}: ${f.metric} ${formatValue(f.metric, f.value)}${f.reason === null ? '' : ` (${f.reason})`}`)
  if (failures.length > RECORDS_SHOWN) lines.push(`  … and ${failures.length - RECORDS_SHOWN} more`)
  return [`failed records in this cohort (${failures.length}):`, ...lines]
}
