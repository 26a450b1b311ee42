import type {Aggregation, Direction} from '../../evaluators/types.js'
import {type Store, nowIso, writeTransaction} from './db.js'
import {sql} from './sql.js'

/**
 * What an evaluation stores about each evaluator it ran (JSON in evaluations.evaluators), so the
 * gate can aggregate and compare the metric later without loading any evaluator code.
 */
export interface EvaluatorDescriptor {
  /** The metric its scores are stored under. */
  metric: string
  /** The built-in's name, or the module's own `name`. */
  name: string
  source: 'builtin' | 'module'
  /** Absolute path of a user module. */
  path?: string
  direction: Direction
  threshold?: number
  aggregation: Aggregation
  cohorts?: string
  description?: string
  /** The evaluator's scoring-rule version (see Evaluator.version); absent in evaluations stored before versions existed, which read as "1". */
  version?: string
}

export interface RecordScoreRow {
  metric: string
  value: number
  /** null when the evaluator has no threshold. */
  passed: boolean | null
  reason?: string
}

export interface EvaluatedRecord {
  id: string
  cohort: string
  output?: string
  nll?: number
  tokens?: number
  /** UTF-8 bytes of the scored continuation (reference or text). */
  bytes?: number
  /** True when any thresholded evaluator failed the record. */
  failed: boolean
  scores: RecordScoreRow[]
}

export interface CohortMetric {
  cohort: string
  /** An evaluator's metric, or failRate. */
  metric: string
  value: number
  ciLow: number
  ciHigh: number
  /** Records the value is computed over. */
  n: number
}

/** What a model, an endpoint or an outputs file gives for one record (record_outputs). */
export interface RecordOutput {
  id: string
  /** Generated text; absent for perplexity-only `text` records. */
  output?: string
  /** Sum of negative log-likelihood (nats) of the reference (or text) tokens. */
  nll?: number
  tokens?: number
}

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
  /** The evaluations (one per seed) whose per-record mean this is (sweep --seeds); null for one model's evaluation. */
  seedMeanOf: number[] | null
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
  seedMeanOf?: readonly number[]
}

/**
 * Stores an evaluation with every record's output and scores and every cohort aggregate, in one
 * transaction (nested inside the caller's when there is one). Returns the evaluation id.
 */
export function insertEvaluation(
  store: Store,
  evaluation: NewEvaluation,
  records: readonly EvaluatedRecord[],
  cohorts: readonly CohortMetric[],
): number {
  const db = sql(store)
  const insertEval = db.prepare(
    `INSERT INTO evaluations (label, dataset_id, dataset_hash, source, model_dir, outputs_file, run_id, candidate_id, evaluators, seed, backend, created_at,
                              endpoint_url, endpoint_model, tokenizer, reference_bytes, perplexity_unavailable, seed_mean_of)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertOutput = db.prepare(
    'INSERT INTO record_outputs (evaluation_id, record_id, cohort, output, nll, tokens, failed, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const insertScore = db.prepare('INSERT INTO record_scores (evaluation_id, record_id, metric, value, passed, reason) VALUES (?, ?, ?, ?, ?, ?)')
  const insertCohort = db.prepare(
    'INSERT INTO cohort_metrics (evaluation_id, cohort, metric, value, ci_low, ci_high, n) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  return writeTransaction(store, () => {
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
        evaluation.seedMeanOf === undefined ? null : JSON.stringify(evaluation.seedMeanOf),
      ).lastInsertRowid,
    )
    for (const r of records) {
      insertOutput.run(id, r.id, r.cohort, r.output ?? null, r.nll ?? null, r.tokens ?? null, r.failed ? 1 : 0, r.bytes ?? null)
      for (const s of r.scores) insertScore.run(id, r.id, s.metric, s.value, s.passed === null ? null : s.passed ? 1 : 0, s.reason ?? null)
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
         e.reference_bytes AS referenceBytes, e.perplexity_unavailable AS perplexityUnavailable, e.seed_mean_of AS seedMeanOf
  FROM evaluations e JOIN datasets d ON d.id = e.dataset_id`

type RawEvaluation = Omit<EvaluationRow, 'evaluators' | 'seedMeanOf'> & {evaluators: string; seedMeanOf: string | null}

function parseRow(row: RawEvaluation | undefined): EvaluationRow | undefined {
  if (row === undefined) return undefined
  return {...row, evaluators: JSON.parse(row.evaluators) as EvaluatorDescriptor[], seedMeanOf: row.seedMeanOf === null ? null : (JSON.parse(row.seedMeanOf) as number[])}
}

export function getEvaluation(store: Store, id: number): EvaluationRow | undefined {
  const db = sql(store)
  return parseRow(db.prepare(`${SELECT_EVALUATION} WHERE e.id = ?`).get(id) as RawEvaluation | undefined)
}

/** The latest evaluation stored under `label`. */
export function latestEvaluationByLabel(store: Store, label: string): EvaluationRow | undefined {
  const db = sql(store)
  return parseRow(db.prepare(`${SELECT_EVALUATION} WHERE e.label = ? ORDER BY e.id DESC LIMIT 1`).get(label) as RawEvaluation | undefined)
}

/** The most recent evaluations, newest first. */
export function listEvaluations(store: Store, limit = 20): EvaluationRow[] {
  const db = sql(store)
  const rows = db.prepare(`${SELECT_EVALUATION} ORDER BY e.id DESC LIMIT ?`).all(limit) as RawEvaluation[]
  return rows.map((r) => parseRow(r)!)
}

/** Distinct labels, most recently used first. */
export function recentLabels(store: Store, limit = 5): string[] {
  const db = sql(store)
  return db.prepare('SELECT label FROM evaluations GROUP BY label ORDER BY max(id) DESC LIMIT ?').pluck().all(limit) as string[]
}

export function cohortMetrics(store: Store, evaluationId: number): CohortMetric[] {
  const db = sql(store)
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
  /** metric → score, with the evaluator's reason when it gave one */
  scores: Map<string, {value: number; passed: boolean | null; reason: string | null}>
}

/** Every record of an evaluation with its scores, keyed by record id. */
export function storedRecords(store: Store, evaluationId: number): Map<string, StoredRecord> {
  const db = sql(store)
  const out = new Map<string, StoredRecord>()
  const outputs = db
    .prepare('SELECT record_id AS id, cohort, nll, tokens, bytes, failed FROM record_outputs WHERE evaluation_id = ?')
    .all(evaluationId) as {id: string; cohort: string; nll: number | null; tokens: number | null; bytes: number | null; failed: number}[]
  for (const o of outputs) out.set(o.id, {...o, failed: o.failed === 1, scores: new Map()})
  const scores = db
    .prepare('SELECT record_id AS id, metric, value, passed, reason FROM record_scores WHERE evaluation_id = ?')
    .all(evaluationId) as {id: string; metric: string; value: number; passed: number | null; reason: string | null}[]
  for (const s of scores) out.get(s.id)?.scores.set(s.metric, {value: s.value, passed: s.passed === null ? null : s.passed === 1, reason: s.reason})
  return out
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null
}

/** How many evaluations a run stored (the base, re-evaluated baselines and candidates). */
export function countRunEvaluations(store: Store, runId: number): number {
  return sql(store).prepare('SELECT count(*) FROM evaluations WHERE run_id = ?').pluck().get(runId) as number
}

/** Summed NLL (nats) and token count of an evaluation over the given records (0/0 when none match). */
export function outputsNll(store: Store, evaluationId: number, recordIds: readonly string[]): {nll: number; tokens: number} {
  const row = sql(store)
    .prepare(`SELECT coalesce(sum(nll), 0) AS nll, coalesce(sum(tokens), 0) AS tokens FROM record_outputs WHERE evaluation_id = ? AND record_id IN (${recordIds.map(() => '?').join(',')})`)
    .get(evaluationId, ...recordIds) as {nll: number; tokens: number}
  return row
}

/** A failed record's failing score: which evaluator failed it, its score and the evaluator's reason. */
export interface RecordFailure {
  id: string
  cohort: string
  metric: string
  value: number
  reason: string | null
}

/** Every failing score of an evaluation (records in id order), what eval, JUnit and the report show. */
export function recordFailures(store: Store, evaluationId: number): RecordFailure[] {
  return sql(store)
    .prepare(
      `SELECT s.record_id AS id, o.cohort, s.metric, s.value, s.reason FROM record_scores s
       JOIN record_outputs o ON o.evaluation_id = s.evaluation_id AND o.record_id = s.record_id
       WHERE s.evaluation_id = ? AND s.passed = 0 ORDER BY s.record_id, s.metric`,
    )
    .all(evaluationId) as RecordFailure[]
}
