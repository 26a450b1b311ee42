import type {RecordFailure} from '../../store/evaluations.js'
import type {StoredGateRow} from '../../store/gates.js'

/**
 * What the HTML report of one run shows, as plain objects: the loader reads them from the store
 * (../run-report-data.ts), and tests can build them by hand.
 */
export interface RunReportData {
  run: ReportRun
  /** The base model's evaluation (what every candidate is gated against), when the run has one. */
  base: ReportEvaluation | null
  candidates: ReportCandidate[]
  /** When the report was made (ISO-8601). */
  generatedAt: string
}

export interface ReportRun {
  id: number
  name: string | null
  kind: string
  status: string
  seed: number
  backend: string | null
  backendReason: string | null
  baseModel: string | null
  /** `name@version` of the training and evaluation datasets. */
  trainDataset: string | null
  evalDataset: string | null
  recommendedLabel: string | null
  createdAt: string
  finishedAt: string | null
  /** The resolved config the run used (shown folded at the end of the report). */
  config: unknown
}

export interface ReportStep {
  /** 0-based optimizer step. */
  step: number
  lr: number
  loss: number
  /** Only on validation steps. */
  valLoss: number | null
}

export interface ReportCandidate {
  label: string
  lr: number
  /** the remedy grid: full or lora, replay share, interpolation (1: the tuned model itself) */
  method: 'full' | 'lora'
  replay: number
  interpolate: number
  status: string
  statusReason: string | null
  stepsTotal: number
  stepsDone: number
  finalTrainLoss: number | null
  finalValLoss: number | null
  verdict: string | null
  /** The diagnosis of its training curve (src/train/diagnosis.ts): kind, short label, reason. */
  curve: {kind: string; label: string; reason: string}
  /** The steps it ran, in order. */
  steps: ReportStep[]
  /** The rate its schedule plans at each step (element t = step t), or null when unknown. */
  plannedLr: number[] | null
  /** Its evaluation's per-cohort metrics (empty when it was not evaluated). */
  metrics: ReportMetric[]
  /** The gate's decision against the base, when one was made. */
  gate: ReportGate | null
}

/** One cohort × metric aggregate of an evaluation. */
export interface ReportMetric {
  cohort: string
  metric: string
  value: number
  ciLow: number | null
  ciHigh: number | null
  n: number
}

export interface ReportEvaluation {
  label: string
  metrics: ReportMetric[]
}

export interface ReportGate {
  id: number
  verdict: 'pass' | 'fail'
  confidence: number
  baselineLabel: string
  results: ReportGateRow[]
  /** the candidate's failed records, each with the evaluator that failed it and its reason */
  failures: RecordFailure[]
}

/**
 * A gate row as stored (rows older than store migration 3 lack limit side, relative, records), with
 * recordsNeededOver as storedGateReport reads it (GateViewRow).
 */
export type ReportGateRow = StoredGateRow & {recordsNeededOver?: number | null}
