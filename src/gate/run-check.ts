import type {GateRule} from '../config/eval-schema.js'
import type {Store} from '../store/db.js'
import {storedRecords} from '../store/evaluations.js'
import {insertGate} from '../store/gates.js'
import {compareEvaluations} from './compare.js'
import {resolveEvaluation} from './reference.js'
import type {GateReport} from './types.js'

export interface CheckRequest {
  candidate: string
  baseline: string
  rules: readonly GateRule[]
  confidence: number
  resamples: number
  seed: number
  onSharedRecords: boolean
}

/**
 * `lrgate check` without the rendering: resolves both references, compares them under the rules,
 * and stores the decision (gates + gate_results, one transaction). Errors store nothing.
 */
export function runCheck(db: Store, request: CheckRequest, options: {onStoreError?: (error: unknown) => boolean} = {}): GateReport {
  const candidate = resolveEvaluation(db, request.candidate, '--candidate')
  const baseline = resolveEvaluation(db, request.baseline, '--baseline')
  const report = compareEvaluations(
    {row: baseline, records: storedRecords(db, baseline.id)},
    {row: candidate, records: storedRecords(db, candidate.id)},
    request.rules,
    request,
  )
  // A store that refuses the write (read-only, full) need not cost the verdict: onStoreError may accept it.
  let gateId: number | null = null
  try {
    gateId = insertGate(
      db,
      {
        candidateEvaluationId: candidate.id,
        baselineEvaluationId: baseline.id,
        verdict: report.verdict,
        confidence: report.confidence,
        resamples: report.resamples,
        seed: report.seed,
        rules: request.rules,
        sharedRecords: report.sharedRecords,
      },
      report.results,
    )
  } catch (error) {
    if (!options.onStoreError?.(error)) throw error
  }
  return {...report, gateId}
}
