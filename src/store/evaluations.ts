import type {EvaluatorDescriptor} from '../eval/configured-evaluator.js'
import type {CohortMetric, EvaluatedRecord} from '../eval/evaluate.js'
import {type Db, nowIso, writeTransaction} from './db.js'

/** An evaluation as stored (one row of `evaluations`, evaluators parsed). */
export interface EvaluationRow {
  id: number
  label: string
  datasetId: number
  datasetHash: string
  /** `name@version` of the dataset, from the datasets table. */
  datasetRef: string
  source: 'model' | 'outputs'
  modelDir: string | null
  outputsFile: string | null
  runId: number | null
  candidateId: number | null
  evaluators: EvaluatorDescriptor[]
  seed: number
  backend: string | null
  createdAt: string
  /** The served model's base URL (eval --endpoint), without credentials. */
  endpointUrl: string | null
  endpointModel: string | null
  /** Tokenizer identity the token counts are in (null: unknown, e.g. an outputs file). */
  tokenizer: string | null
  /** UTF-8 bytes of all scored references (or texts), the denominator of bitsPerByte. */
  referenceBytes: number | null
  /** Why perplexity is missing (the endpoint gave no prompt log-probs). */
  perplexityUnavailable: string | null
}

export interface NewEvaluation {
  label: string
  datasetId: number
  datasetHash: string
  source: 'model' | 'outputs'
  modelDir?: string
  outputsFile?: string
  runId?: number
  candidateId?: number
  evaluators: readonly EvaluatorDescriptor[]
  seed: number
  backend?: string
  endpointUrl?: string
  endpointModel?: string
  tokenizer?: string
  referenceBytes?: number
  perplexityUnavailable?: string
}

/**
 * Stores an evaluation with every record's output and scores and every cohort aggregate, in one
 * transaction (nested inside the caller's when there is one). Returns the evaluation id.
 */
export function insertEvaluation(
  db: Db,
  evaluation: NewEvaluation,
  records: readonly EvaluatedRecord[],
  cohorts: readonly CohortMetric[],
): number {
  const insertEval = db.prepare(
    `INSERT INTO evaluations (label, dataset_id, dataset_hash, source, model_dir, outputs_file, run_id, candidate_id, evaluators, seed, backend, created_at,
                              endpoint_url, endpoint_model, tokenizer, reference_bytes, perplexity_unavailable)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertOutput = db.prepare(
    'INSERT INTO record_outputs (evaluation_id, record_id, cohort, output, nll, tokens, failed, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const insertScore = db.prepare('INSERT INTO record_scores (evaluation_id, record_id, metric, value, passed) VALUES (?, ?, ?, ?, ?)')
  const insertCohort = db.prepare(
    'INSERT INTO cohort_metrics (evaluation_id, cohort, metric, value, ci_low, ci_high, n) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  return writeTransaction(db, () => {
    const id = Number(
      insertEval.run(
        evaluation.label,
        evaluation.datasetId,
        evaluation.datasetHash,
        evaluation.source,
        evaluation.modelDir ?? null,
        evaluation.outputsFile ?? null,
        evaluation.runId ?? null,
        evaluation.candidateId ?? null,
        JSON.stringify(evaluation.evaluators),
        evaluation.seed,
        evaluation.backend ?? null,
        nowIso(),
        evaluation.endpointUrl ?? null,
        evaluation.endpointModel ?? null,
        evaluation.tokenizer ?? null,
        evaluation.referenceBytes ?? null,
        evaluation.perplexityUnavailable ?? null,
      ).lastInsertRowid,
    )
    for (const r of records) {
      insertOutput.run(id, r.id, r.cohort, r.output ?? null, r.nll ?? null, r.tokens ?? null, r.failed ? 1 : 0, r.bytes ?? null)
      for (const s of r.scores) insertScore.run(id, r.id, s.metric, s.value, s.passed === null ? null : s.passed ? 1 : 0)
    }
    for (const c of cohorts) insertCohort.run(id, c.cohort, c.metric, c.value, finiteOrNull(c.ciLow), finiteOrNull(c.ciHigh), c.n)
    return id
  })
}

const SELECT_EVALUATION = `
  SELECT e.id, e.label, e.dataset_id AS datasetId, e.dataset_hash AS datasetHash,
         d.name || '@' || d.version AS datasetRef, e.source, e.model_dir AS modelDir,
         e.outputs_file AS outputsFile, e.run_id AS runId, e.candidate_id AS candidateId,
         e.evaluators, e.seed, e.backend, e.created_at AS createdAt,
         e.endpoint_url AS endpointUrl, e.endpoint_model AS endpointModel, e.tokenizer,
         e.reference_bytes AS referenceBytes, e.perplexity_unavailable AS perplexityUnavailable
  FROM evaluations e JOIN datasets d ON d.id = e.dataset_id`

type RawEvaluation = Omit<EvaluationRow, 'evaluators'> & {evaluators: string}

function parseRow(row: RawEvaluation | undefined): EvaluationRow | undefined {
  return row === undefined ? undefined : {...row, evaluators: JSON.parse(row.evaluators) as EvaluatorDescriptor[]}
}

export function getEvaluation(db: Db, id: number): EvaluationRow | undefined {
  return parseRow(db.prepare(`${SELECT_EVALUATION} WHERE e.id = ?`).get(id) as RawEvaluation | undefined)
}

/** The latest evaluation stored under `label`. */
export function latestEvaluationByLabel(db: Db, label: string): EvaluationRow | undefined {
  return parseRow(db.prepare(`${SELECT_EVALUATION} WHERE e.label = ? ORDER BY e.id DESC LIMIT 1`).get(label) as RawEvaluation | undefined)
}

/** The most recent evaluations, newest first. */
export function listEvaluations(db: Db, limit = 20): EvaluationRow[] {
  const rows = db.prepare(`${SELECT_EVALUATION} ORDER BY e.id DESC LIMIT ?`).all(limit) as RawEvaluation[]
  return rows.map((r) => parseRow(r)!)
}

/** Distinct labels, most recently used first. */
export function recentLabels(db: Db, limit = 5): string[] {
  return db.prepare('SELECT label FROM evaluations GROUP BY label ORDER BY max(id) DESC LIMIT ?').pluck().all(limit) as string[]
}

export function cohortMetrics(db: Db, evaluationId: number): CohortMetric[] {
  return db
    .prepare(
      `SELECT cohort, metric, value, ci_low AS ciLow, ci_high AS ciHigh, n FROM cohort_metrics
       WHERE evaluation_id = ? ORDER BY rowid`,
    )
    .all(evaluationId) as CohortMetric[]
}

/** One record of a stored evaluation, as the gate compares it. */
export interface StoredRecord {
  id: string
  cohort: string
  nll: number | null
  tokens: number | null
  /** UTF-8 bytes of the scored reference (or text); null in evaluations stored before bytes were. */
  bytes: number | null
  failed: boolean
  /** metric → score */
  scores: Map<string, {value: number; passed: boolean | null}>
}

/** Every record of an evaluation with its scores, keyed by record id. */
export function storedRecords(db: Db, evaluationId: number): Map<string, StoredRecord> {
  const out = new Map<string, StoredRecord>()
  const outputs = db
    .prepare('SELECT record_id AS id, cohort, nll, tokens, bytes, failed FROM record_outputs WHERE evaluation_id = ?')
    .all(evaluationId) as {id: string; cohort: string; nll: number | null; tokens: number | null; bytes: number | null; failed: number}[]
  for (const o of outputs) out.set(o.id, {...o, failed: o.failed === 1, scores: new Map()})
  const scores = db
    .prepare('SELECT record_id AS id, metric, value, passed FROM record_scores WHERE evaluation_id = ?')
    .all(evaluationId) as {id: string; metric: string; value: number; passed: number | null}[]
  for (const s of scores) out.get(s.id)?.scores.set(s.metric, {value: s.value, passed: s.passed === null ? null : s.passed === 1})
  return out
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null
}
