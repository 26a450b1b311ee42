import type {GateResultRow} from '../store/gates.js'
import type {LimitKind} from './rule.js'

/** One rule × cohort row of a gate decision. */
export interface GateRow extends GateResultRow {
  /** Position of the rule in the config's gate.rules. */
  ruleIndex: number
  limitKind: LimitKind
  /** `atLeast`: the delta must stay ≥ limit (maxDrop, minGain); `atMost`: ≤ limit (maxRise). */
  limitSide: 'atLeast' | 'atMost'
  relative: boolean
  /** Paired records the row was computed on (0 when skipped). */
  records: number
  inconclusive: boolean
  recordsNeeded: number | null
}

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
