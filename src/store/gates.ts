import {type Db, nowIso, writeTransaction} from './db.js'

export type RowStatus = 'pass' | 'fail' | 'skipped'

/** One rule × cohort outcome as stored in gate_results. */
export interface GateResultRow {
  rule: string
  cohort: string
  metric: string
  baseline: number | null
  candidate: number | null
  delta: number | null
  ciLow: number | null
  ciHigh: number | null
  limit: number | null
  status: RowStatus
  message: string
  /** One-sided p-value of "within the limit" (null: skipped or untestable). */
  pValue: number | null
  /** Holm-adjusted over the check's tested rows; the row fails when ≤ 1 − confidence. */
  adjustedP: number | null
  /** This row failed, and so by itself made the verdict fail. */
  decided: boolean
}

export interface NewGate {
  candidateEvaluationId: number
  baselineEvaluationId: number
  verdict: 'pass' | 'fail'
  confidence: number
  resamples: number
  seed: number
  rules: readonly unknown[]
  sharedRecords: number
}

/** Stores a gate decision and its rows in one transaction; returns the gate id. */
export function insertGate(db: Db, gate: NewGate, results: readonly GateResultRow[]): number {
  const insertGateRow = db.prepare(
    `INSERT INTO gates (candidate_evaluation_id, baseline_evaluation_id, verdict, confidence, resamples, seed, rules, shared_records, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertResult = db.prepare(
    `INSERT INTO gate_results (gate_id, position, rule, cohort, metric, baseline, candidate, delta, ci_low, ci_high, lim, status, message, p_value, adjusted_p, decided)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  return writeTransaction(db, () => {
    const id = Number(
      insertGateRow.run(
        gate.candidateEvaluationId,
        gate.baselineEvaluationId,
        gate.verdict,
        gate.confidence,
        gate.resamples,
        gate.seed,
        JSON.stringify(gate.rules),
        gate.sharedRecords,
        nowIso(),
      ).lastInsertRowid,
    )
    for (const [i, r] of results.entries()) {
      insertResult.run(id, i, r.rule, r.cohort, r.metric, num(r.baseline), num(r.candidate), num(r.delta), num(r.ciLow), num(r.ciHigh), num(r.limit), r.status, r.message, r.pValue, r.adjustedP, r.decided ? 1 : 0)
    }
    return id
  })
}

export interface GateSummaryRow {
  id: number
  candidateEvaluationId: number
  candidateLabel: string
  baselineEvaluationId: number
  baselineLabel: string
  verdict: 'pass' | 'fail'
  failed: number
  createdAt: string
}

/** The most recent gate decisions, newest first, with the labels compared and how many rows failed. */
export function listGates(db: Db, limit = 20): GateSummaryRow[] {
  return db
    .prepare(
      `SELECT g.id, g.candidate_evaluation_id AS candidateEvaluationId, c.label AS candidateLabel,
              g.baseline_evaluation_id AS baselineEvaluationId, b.label AS baselineLabel, g.verdict,
              (SELECT count(*) FROM gate_results r WHERE r.gate_id = g.id AND r.status = 'fail') AS failed,
              g.created_at AS createdAt
       FROM gates g JOIN evaluations c ON c.id = g.candidate_evaluation_id JOIN evaluations b ON b.id = g.baseline_evaluation_id
       ORDER BY g.id DESC LIMIT ?`,
    )
    .all(limit) as GateSummaryRow[]
}

/** The rows of one gate in their order. */
export function gateResults(db: Db, gateId: number): GateResultRow[] {
  const rows = db
    .prepare(
      `SELECT rule, cohort, metric, baseline, candidate, delta, ci_low AS ciLow, ci_high AS ciHigh, lim AS "limit", status, message,
              p_value AS pValue, adjusted_p AS adjustedP, decided
       FROM gate_results WHERE gate_id = ? ORDER BY position`,
    )
    .all(gateId) as (Omit<GateResultRow, 'decided'> & {decided: number})[]
  return rows.map((r) => ({...r, decided: r.decided === 1}))
}

function num(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null
}
