import {type Store, nowIso, writeTransaction} from './db.js'
import {sql} from './sql.js'

export type RowStatus = 'pass' | 'fail' | 'skipped'
export type LimitKind = 'maxDrop' | 'maxRise' | 'minGain'
/** `atLeast`: the delta must stay ≥ limit (maxDrop, minGain); `atMost`: ≤ limit (maxRise). */
export type LimitSide = 'atLeast' | 'atMost'

/**
 * One rule × cohort outcome as stored in gate_results, lossless: a reader never needs the rules to
 * interpret it. Deltas and limits are in the metric's units, or fractions of the baseline when `relative`.
 */
export interface GateResultRow {
  /** the rule's human name (its `name`, or e.g. "relevance maxDrop 0.02"); two rules may share it */
  rule: string
  /** position of the rule in the gate's rules (what tells two rules with one name apart) */
  ruleIndex: number
  cohort: string
  metric: string
  baseline: number | null
  candidate: number | null
  delta: number | null
  ciLow: number | null
  ciHigh: number | null
  /** the bound on the delta: −maxDrop, maxRise or minGain */
  limit: number | null
  limitKind: LimitKind
  limitSide: LimitSide
  relative: boolean
  /** paired records the row was computed on (0 when skipped) */
  records: number
  /** the interval crosses the limit: passes, but the data cannot show the limit holds */
  inconclusive: boolean
  /** records that would settle an inconclusive row if the estimate stayed put */
  recordsNeeded: number | null
  /** one-sided p-value of "the limit holds" (null: not computed) */
  pValue: number | null
  /** the p-value after the gate's multiplicity correction (null: not computed) */
  adjustedP: number | null
  /** whether the status is a decision at the gate's error rate (null: not computed) */
  decided: boolean | null
  status: RowStatus
  message: string
}

/** The fields migration 3 added: NULL in rows stored before it. */
type Migration2Field = 'ruleIndex' | 'limitKind' | 'limitSide' | 'relative' | 'records' | 'inconclusive'

/** A gate row as read back: as written, except that rows from before migration 3 lack its fields. */
export type StoredGateRow = Omit<GateResultRow, Migration2Field> & {[K in Migration2Field]: GateResultRow[K] | null}

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
    `INSERT INTO gate_results (gate_id, position, rule, rule_index, cohort, metric, baseline, candidate, delta, ci_low, ci_high, lim,
       limit_kind, limit_side, relative, records, inconclusive, records_needed, p_value, adjusted_p, decided, status, message)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      insertResult.run(
        id, i, r.rule, r.ruleIndex, r.cohort, r.metric, num(r.baseline), num(r.candidate), num(r.delta), num(r.ciLow), num(r.ciHigh), num(r.limit),
        r.limitKind, r.limitSide, bit(r.relative), r.records, bit(r.inconclusive), r.recordsNeeded, num(r.pValue), num(r.adjustedP), bit(r.decided), r.status, r.message,
      )
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

type RawGateRow = Omit<StoredGateRow, 'relative' | 'inconclusive' | 'decided'> & {relative: number | null; inconclusive: number | null; decided: number | null}

/** The rows of one gate in their order, as written (see StoredGateRow for rows older than migration 3). */
export function gateResults(store: Store, gateId: number): StoredGateRow[] {
  const rows = sql(store)
    .prepare(
      `SELECT rule, rule_index AS ruleIndex, cohort, metric, baseline, candidate, delta, ci_low AS ciLow, ci_high AS ciHigh, lim AS "limit",
              limit_kind AS limitKind, limit_side AS limitSide, relative, records, inconclusive, records_needed AS recordsNeeded,
              p_value AS pValue, adjusted_p AS adjustedP, decided, status, message
       FROM gate_results WHERE gate_id = ? ORDER BY position`,
    )
    .all(gateId) as RawGateRow[]
  return rows.map((r) => ({...r, relative: flag(r.relative), inconclusive: flag(r.inconclusive), decided: flag(r.decided)}))
}

function num(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null
}

function bit(v: boolean | null): number | null {
  return v === null ? null : v ? 1 : 0
}

function flag(v: number | null): boolean | null {
  return v === null ? null : v === 1
}

/** A stored gate decision's header: what was compared, how, the verdict and the rules applied. */
export interface GateHeader {
  id: number
  verdict: 'pass' | 'fail'
  confidence: number
  resamples: number
  seed: number
  sharedRecords: number
  rules: unknown[]
  candidateEvaluationId: number
  candidateLabel: string
  candidateDatasetHash: string
  baselineEvaluationId: number
  baselineLabel: string
  baselineDatasetHash: string
  createdAt: string
}

export function getGate(store: Store, gateId: number): GateHeader | undefined {
  const row = sql(store)
    .prepare(
      `SELECT g.id, g.verdict, g.confidence, g.resamples, g.seed, g.shared_records AS sharedRecords, g.rules,
              g.candidate_evaluation_id AS candidateEvaluationId, c.label AS candidateLabel, c.dataset_hash AS candidateDatasetHash,
              g.baseline_evaluation_id AS baselineEvaluationId, b.label AS baselineLabel, b.dataset_hash AS baselineDatasetHash,
              g.created_at AS createdAt
       FROM gates g JOIN evaluations b ON b.id = g.baseline_evaluation_id JOIN evaluations c ON c.id = g.candidate_evaluation_id
       WHERE g.id = ?`,
    )
    .get(gateId) as (Omit<GateHeader, 'rules'> & {rules: string}) | undefined
  return row === undefined ? undefined : {...row, rules: JSON.parse(row.rules) as unknown[]}
}
