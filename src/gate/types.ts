import type {RecordFailure} from '../store/evaluations.js'
import type {GateResultRow, StoredGateRow} from '../store/gates.js'

/** One rule × cohort row of a gate decision: exactly the row the store keeps (src/store/gates.ts). */
export type GateRow = GateResultRow

export interface EvaluationRef {
  id: number
  label: string
}

/** A gate decision: the JSON `lrgate check --json` prints, and what every report renders. */
export interface GateReport {
  verdict: 'pass' | 'fail'
  gateId: number | null
  candidate: EvaluationRef
  baseline: EvaluationRef
  datasetHash: {candidate: string; baseline: string}
  sharedRecords: number
  confidence: number
  resamples: number
  seed: number
  results: GateRow[]
}

/**
 * A gate row as every renderer reads it: as stored, with the records that would settle it read from
 * the row's own numbers (recordsNeededOf): `recordsNeeded` the count, null when none is given;
 * `recordsNeededOver` RECORDS_NEEDED_CAP × records when more than that would be needed, else null.
 */
export type GateViewRow = StoredGateRow & {recordsNeededOver: number | null}

/**
 * A gate decision read back from the store (see storedGateReport): what every renderer shows. Rows
 * are as stored (rows older than store migration 3 lack some fields) with the records needed as in
 * GateViewRow; `failures` are the candidate's failed records with each evaluator's reason.
 */
export interface StoredGateReport extends Omit<GateReport, 'results' | 'gateId'> {
  gateId: number
  results: GateViewRow[]
  failures: RecordFailure[]
}

/**
 * What the gate renderers take: a stored decision, or (gateId null) one the store refused to keep
 * (a read-only or full database), rendered the same way from the computed rows.
 */
export type GateView = Omit<StoredGateReport, 'gateId'> & {gateId: number | null}
