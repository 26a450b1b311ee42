import {InputError} from '../errors.js'
import type {Store} from './db.js'
import {sql} from './sql.js'
import {type EvaluationRow, getEvaluation, listEvaluations} from './evaluations.js'
import {type GateSummaryRow, listGates} from './gates.js'
import {listPromotions, type PromotionRow} from './promotions.js'

/** A run as `lrgate runs list/show` shows it. */
export interface RunRow {
  id: number
  kind: 'sweep' | 'find-lr' | 'pretrain' | 'controller'
  name: string | null
  status: string
  seed: number
  backend: string | null
  baseModel: string | null
  baseEvaluationId: number | null
  recommendedCandidateId: number | null
  /** The recommended candidate's label, when there is one. */
  recommendedLabel: string | null
  candidates: number
  createdAt: string
  finishedAt: string | null
  /** unique id, plan hash and shard ("I/N") — NULL in runs made before store migration 7 */
  uid: string | null
  planHash: string | null
  shard: string | null
}

export interface CandidateRow {
  id: number
  runId: number
  label: string
  lr: number
  status: string
  statusReason: string | null
  stepsTotal: number
  stepsDone: number
  finalTrainLoss: number | null
  finalValLoss: number | null
  artifactDir: string | null
  evaluationId: number | null
  verdict: string | null
  gateId: number | null
  seed: number
  /** the remedy grid: NULL in rows written before it (a full fine-tune without replay) */
  method: 'full' | 'lora' | null
  lora: string | null
  replay: number | null
  interpolate: number | null
  parentId: number | null
  adapterDir: string | null
  /** sweep.ema: its model holds the EMA of the weights at this decay; null: the raw weights */
  emaDecay: number | null
}

const SELECT_RUN = `
  SELECT r.id, r.kind, r.name, r.status, r.seed, r.backend, r.base_model AS baseModel,
         r.base_evaluation_id AS baseEvaluationId, r.recommended_candidate_id AS recommendedCandidateId,
         (SELECT label FROM candidates c WHERE c.id = r.recommended_candidate_id) AS recommendedLabel,
         (SELECT count(*) FROM candidates c WHERE c.run_id = r.id) AS candidates,
         r.created_at AS createdAt, r.finished_at AS finishedAt, r.uid, r.plan_hash AS planHash, r.shard
  FROM runs r`

const SELECT_CANDIDATE = `
  SELECT id, run_id AS runId, label, lr, seed, status, status_reason AS statusReason, steps_total AS stepsTotal,
         steps_done AS stepsDone, final_train_loss AS finalTrainLoss, final_val_loss AS finalValLoss,
         artifact_dir AS artifactDir, evaluation_id AS evaluationId, verdict, gate_id AS gateId,
         method, lora, replay, interpolate, parent_id AS parentId, adapter_dir AS adapterDir, ema_decay AS emaDecay
  FROM candidates`

/** Runs, newest first. */
export function listRuns(store: Store, limit = 20): RunRow[] {
  const db = sql(store)
  return db.prepare(`${SELECT_RUN} ORDER BY r.id DESC LIMIT ?`).all(limit) as RunRow[]
}

export function getRun(store: Store, id: number): RunRow | undefined {
  const db = sql(store)
  return db.prepare(`${SELECT_RUN} WHERE r.id = ?`).get(id) as RunRow | undefined
}

/** The latest sweep run (the one `base` and `recommended` refer to). */
export function latestSweepRun(store: Store): RunRow | undefined {
  const db = sql(store)
  return db.prepare(`${SELECT_RUN} WHERE r.kind = 'sweep' ORDER BY r.id DESC LIMIT 1`).get() as RunRow | undefined
}

/** A run's candidates in the order they were created. */
export function runCandidates(store: Store, runId: number): CandidateRow[] {
  const db = sql(store)
  return db.prepare(`${SELECT_CANDIDATE} WHERE run_id = ? ORDER BY id`).all(runId) as CandidateRow[]
}

export function getCandidate(store: Store, id: number): CandidateRow | undefined {
  const db = sql(store)
  return db.prepare(`${SELECT_CANDIDATE} WHERE id = ?`).get(id) as CandidateRow | undefined
}

/** What `lrgate runs list` shows: recent runs, evaluations, gate decisions and promotions. */
export interface History {
  runs: RunRow[]
  evaluations: Omit<EvaluationRow, 'evaluators'>[]
  gates: GateSummaryRow[]
  promotions: PromotionRow[]
}

export function readHistory(store: Store, limit = 20): History {
  return {
    runs: listRuns(store, limit),
    evaluations: listEvaluations(store, limit).map(({evaluators: _e, ...row}) => row),
    gates: listGates(store, limit),
    promotions: listPromotions(store, limit),
  }
}

/** What `lrgate runs show <id>` shows: the run, its candidates, and its base evaluation's label. */
export interface RunDetail {
  run: RunRow
  config: unknown
  baseEvaluation: {id: number; label: string} | null
  candidates: CandidateRow[]
}

export function readRun(store: Store, id: number): RunDetail {
  const db = sql(store)
  const run = getRun(store, id)
  if (run === undefined) {
    const latest = listRuns(store, 1)[0]
    throw new InputError(`run ${id} does not exist; ${latest === undefined ? 'the database holds no runs yet' : `run ids go up to ${latest.id}`} (see lrgate runs list).`)
  }
  const config = JSON.parse(db.prepare('SELECT config FROM runs WHERE id = ?').pluck().get(id) as string) as unknown
  const base = run.baseEvaluationId === null ? undefined : getEvaluation(store, run.baseEvaluationId)
  return {run, config, baseEvaluation: base === undefined ? null : {id: base.id, label: base.label}, candidates: runCandidates(store, id)}
}

/** The sweep candidate an evaluation belongs to, by the evaluation's candidate_id or the candidate's evaluation_id. */
export function candidateOfEvaluation(store: Store, evaluationId: number, candidateId: number | null): CandidateRow | undefined {
  const db = sql(store)
  if (candidateId !== null) return getCandidate(store, candidateId)
  return db.prepare(`${SELECT_CANDIDATE} WHERE evaluation_id = ? ORDER BY id DESC LIMIT 1`).get(evaluationId) as CandidateRow | undefined
}
