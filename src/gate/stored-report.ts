import type {Store} from '../store/db.js'
import {recordFailures} from '../store/evaluations.js'
import {gateResults, getGate} from '../store/gates.js'
import type {GateReport, GateView, StoredGateReport} from './types.js'

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
    results: gateResults(store, gateId),
    failures: recordFailures(store, gate.candidateEvaluationId),
  }
}

/**
 * The renderers' view of a decision the store refused to keep (a read-only or full database):
 * the computed rows as they are, gateId null, and the candidate's failed records from the store.
 */
export function unstoredGateReport(store: Store, report: GateReport): GateView {
  return {...report, gateId: null, failures: recordFailures(store, report.candidate.id)}
}
