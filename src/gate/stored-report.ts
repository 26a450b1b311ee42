import type {Store} from '../store/db.js'
import {recordFailures} from '../store/evaluations.js'
import {type StoredGateRow, gateResults, getGate} from '../store/gates.js'
import {recordsNeededFields, recordsNeededOf} from './records-needed.js'
import type {GateReport, GateView, GateViewRow, StoredGateReport} from './types.js'

/**
 * A stored gate decision as every renderer reads it: `check` (table, JSON, JUnit, Markdown), the
 * sweep summary, `runs show` and the HTML report all render this one view, so they agree to the
 * digit. Rows come back exactly as stored; `failures` are the candidate's failed records with the
 * evaluators' reasons. Undefined when there is no such gate.
 */
export function storedGateReport(store: Store, gateId: number): StoredGateReport | undefined {
  const gate = getGate(store, gateId)
  if (gate === undefined) return undefined
  return {
    verdict: gate.verdict,
    gateId: gate.id,
    candidate: {id: gate.candidateEvaluationId, label: gate.candidateLabel},
    baseline: {id: gate.baselineEvaluationId, label: gate.baselineLabel},
    datasetHash: {candidate: gate.candidateDatasetHash, baseline: gate.baselineDatasetHash},
    sharedRecords: gate.sharedRecords,
    confidence: gate.confidence,
    resamples: gate.resamples,
    seed: gate.seed,
    results: viewRows(gateResults(store, gateId)),
    failures: recordFailures(store, gate.candidateEvaluationId),
  }
}

/**
 * The renderers' view of a decision the store refused to keep (a read-only or full database):
 * the computed rows as they are, gateId null, and the candidate's failed records from the store.
 */
export function unstoredGateReport(store: Store, report: GateReport): GateView {
  return {...report, results: viewRows(report.results), gateId: null, failures: recordFailures(store, report.candidate.id)}
}

/**
 * Rows as renderers read them: `recordsNeeded` and `recordsNeededOver` from each row's own numbers
 * (recordsNeededOf), so a row stored before the cap existed (recordsNeeded 1.15e34) reads like a new one.
 */
export function viewRows(rows: readonly StoredGateRow[]): GateViewRow[] {
  return rows.map((r) => ({...r, ...recordsNeededFields(recordsNeededOf(r))}))
}
