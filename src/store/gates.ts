import {type Store, nowIso, writeTransaction} from './db.js'
import {sql} from './sql.js'

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
export function insertGate(store: Store, gate: NewGate, results: readonly GateResultRow[]): number {
  const db = sql(store)
  const insertGateRow = db.prepare(
    `INSERT INTO gates (candidate_evaluation_id, baseline_evaluation_id, verdict, confidence, resamples, seed, rules, shared_records, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertResult = db.prepare(
    `INSERT INTO gate_results (gate_id, position, rule, cohort, metric, baseline, candidate, delta, ci_low, ci_high, lim, status, message)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  return writeTransaction(store, () => {
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
      insertResult.run(id, i, r.rule, r.cohort, r.metric, num(r.baseline), num(r.candidate), num(r.delta), num(r.ciLow), num(r.ciHigh), num(r.limit), r.status, r.message)
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
export function listGates(store: Store, limit = 20): GateSummaryRow[] {
  const db = sql(store)
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
export function gateResults(store: Store, gateId: number): GateResultRow[] {
  const db = sql(store)
  return db
    .prepare(
      `SELECT rule, cohort, metric, baseline, candidate, delta, ci_low AS ciLow, ci_high AS ciHigh, lim AS "limit", status, message
       FROM gate_results WHERE gate_id = ? ORDER BY position`,
    )
    .all(gateId) as GateResultRow[]
}

function num(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null
}

/** A gate decision's header: verdict, confidence, the rules applied and the baseline's label. */
export interface GateHeader {
  id: number
  verdict: 'pass' | 'fail'
  confidence: number
  rules: unknown[]
  baselineLabel: string
}

export function getGate(store: Store, gateId: number): GateHeader | undefined {
  const row = sql(store)
    .prepare(
      `SELECT g.id, g.verdict, g.confidence, g.rules, b.label AS baselineLabel
       FROM gates g JOIN evaluations b ON b.id = g.baseline_evaluation_id WHERE g.id = ?`,
    )
    .get(gateId) as (Omit<GateHeader, 'rules'> & {rules: string}) | undefined
  return row === undefined ? undefined : {...row, rules: JSON.parse(row.rules) as unknown[]}
}
