import {dirname} from 'node:path'

import {type Store, nowIso, writeTransaction} from './db.js'
import {sql} from './sql.js'

/** One optimizer step as the trainer reports it and train_steps stores it (0-based step; grad norm before clipping). */
export interface StepRecord {
  step: number
  lr: number
  loss: number
  gradNorm: number
  clipped: boolean
  tokensPerS: number
  valLoss: number | null
  /** with replay: the mean loss of the fine-tune rows and of the replay rows of the batch */
  targetLoss?: number | null
  replayLoss?: number | null
  /** the values this step was trained with besides the lr (sweep.schedules; the constants when none): sequences, clip limit, weight decay */
  batchSize?: number | null
  clipNorm?: number | null
  weightDecay?: number | null
  /** sweep.ema: the decay of this step's average update; null without an EMA */
  emaDecay?: number | null
}

export type CandidateStatus = 'pending' | 'running' | 'completed' | 'diverged' | 'pruned' | 'failed'

export interface NewCandidate {
  label: string
  lr: number
  schedule: unknown
  seed: number
  stepsTotal: number
  /** where the fine-tuned model is kept (null: the run keeps none, as the LR range test) */
  artifactDir: string | null
  /** the remedy grid (absent: a full fine-tune without replay) */
  recipe?: CandidateRecipe
}

/** How a candidate is made: method, LoRA settings, replay share, interpolation, and its trained parent. */
export interface CandidateRecipe {
  method: 'full' | 'lora'
  lora: {rank: number; alpha: number; targets: string[]; dropout: number} | null
  replay: number
  interpolate: number
  /** index (in the same insert) of the trained candidate an interpolated one derives from */
  parentIndex: number | null
  adapterDir: string | null
  /** sweep.ema: the candidate's model holds the EMA of the weights at this decay (null or absent: the raw weights) */
  emaDecay?: number | null
}

/** Creates a sweep's candidates (status `pending`) in one transaction; returns their ids in order. */
export function insertCandidates(store: Store, runId: number, candidates: readonly NewCandidate[]): number[] {
  const db = sql(store)
  const insert = db.prepare(
    `INSERT INTO candidates (run_id, label, lr, schedule, seed, status, steps_total, artifact_dir, method, lora, replay, interpolate, parent_id, adapter_dir, ema_decay)
     VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  return writeTransaction(store, () => {
    const ids: number[] = []
    for (const c of candidates) {
      const r = c.recipe
      const parent = r?.parentIndex != null ? ids[r.parentIndex] : null
      if (r?.parentIndex != null && parent === undefined) throw new Error(`candidate ${c.label}: its parent must come before it`)
      ids.push(Number(insert.run(runId, c.label, c.lr, JSON.stringify(c.schedule), c.seed, c.stepsTotal, c.artifactDir,
        r?.method ?? null, r?.lora ? JSON.stringify(r.lora) : null, r?.replay ?? null, r?.interpolate ?? null, parent, r?.adapterDir ?? null, r?.emaDecay ?? null).lastInsertRowid))
    }
    return ids
  })
}

/**
 * Interpolated candidates follow their trained parent: when it diverged, was pruned or failed,
 * they end the same way (with the parent named). Returns how many were settled.
 */
export function settleDerived(store: Store, runId: number): number {
  return sql(store)
    .prepare(
      `UPDATE candidates AS c SET status = p.status, status_reason = p.label || ' ' || p.status || coalesce(': ' || p.status_reason, '')
       FROM candidates AS p
       WHERE c.parent_id = p.id AND c.run_id = ? AND p.status IN ('diverged', 'pruned', 'failed') AND c.status NOT IN ('completed', 'diverged', 'pruned', 'failed')`,
    )
    .run(runId).changes
}

export function markCandidateRunning(store: Store, id: number): void {
  const db = sql(store)
  db.prepare("UPDATE candidates SET status = 'running', started_at = coalesce(started_at, ?) WHERE id = ?").run(nowIso(), id)
}

/**
 * Stores the steps since the last checkpoint and the candidate's progress in one transaction, so
 * the database never holds steps that the checkpoint on disk does not.
 */
export function recordSteps(store: Store, id: number, stepsDone: number, steps: readonly StepRecord[]): void {
  const db = sql(store)
  const insert = db.prepare(
    `INSERT OR REPLACE INTO train_steps (candidate_id, step, lr, loss, grad_norm, clipped, tokens_per_s, val_loss, target_loss, replay_loss, batch_size, clip_norm, weight_decay, ema_decay)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const finite = (x: number | null | undefined) => (x === undefined || x === null || !Number.isFinite(x) ? null : x)
  writeTransaction(store, () => {
    for (const s of steps) insert.run(id, s.step, s.lr, s.loss, Number.isFinite(s.gradNorm) ? s.gradNorm : -1, s.clipped ? 1 : 0, s.tokensPerS, s.valLoss, finite(s.targetLoss), finite(s.replayLoss), s.batchSize ?? null, s.clipNorm ?? null, s.weightDecay ?? null, s.emaDecay ?? null)
    db.prepare('UPDATE candidates SET steps_done = ? WHERE id = ?').run(stepsDone, id)
  })
}

/** Before resuming from a checkpoint: forget steps recorded after it (a kill between writes). */
export function forgetStepsAfter(store: Store, id: number, stepsDone: number): void {
  const db = sql(store)
  writeTransaction(store, () => {
    db.prepare('DELETE FROM train_steps WHERE candidate_id = ? AND step >= ?').run(id, stepsDone)
    db.prepare('UPDATE candidates SET steps_done = ? WHERE id = ?').run(stepsDone, id)
  })
}

/** Losses recorded so far (the divergence detector's history on resume). */
export function lossHistory(store: Store, id: number): number[] {
  const db = sql(store)
  return db.prepare('SELECT loss FROM train_steps WHERE candidate_id = ? ORDER BY step').pluck().all(id) as number[]
}

export function finishTraining(
  store: Store,
  id: number,
  result: {status: CandidateStatus; reason: string | null; stepsDone: number; finalTrainLoss: number | null; finalValLoss: number | null},
): void {
  const db = sql(store)
  db.prepare(
    `UPDATE candidates SET status = ?, status_reason = ?, steps_done = ?, final_train_loss = ?, final_val_loss = ?, finished_at = ? WHERE id = ?`,
  ).run(result.status, result.reason, result.stepsDone, result.finalTrainLoss, result.finalValLoss, nowIso(), id)
}

export function setCandidateStatus(store: Store, id: number, status: CandidateStatus, reason: string | null): void {
  const db = sql(store)
  db.prepare('UPDATE candidates SET status = ?, status_reason = ? WHERE id = ?').run(status, reason, id)
}

/** The gate's verdict on a candidate's evaluation (the evaluation itself is set by markCandidateEvaluated). */
export function setCandidateVerdict(store: Store, id: number, gateId: number | null, verdict: 'pass' | 'fail' | 'error'): void {
  sql(store).prepare('UPDATE candidates SET gate_id = ?, verdict = ? WHERE id = ?').run(gateId, verdict, id)
}

/** A trained candidate's evaluation is stored: the candidate is completed. The one writer of candidates.evaluation_id. */
export function markCandidateEvaluated(store: Store, id: number, evaluationId: number): void {
  sql(store).prepare("UPDATE candidates SET status = 'completed', evaluation_id = ? WHERE id = ?").run(evaluationId, id)
}

/** A sweep job failed: its candidate (by label within the run) is marked failed with the job's message. */
export function markCandidateFailed(store: Store, runId: number, label: string, message: string): void {
  sql(store).prepare("UPDATE candidates SET status = 'failed', status_reason = ? WHERE run_id = ? AND label = ?").run(message, runId, label)
}

/** The optimizer steps a candidate is planned to train. */
export function candidateStepsTotal(store: Store, id: number): number {
  return sql(store).prepare('SELECT steps_total FROM candidates WHERE id = ?').pluck().get(id) as number
}

/** Each candidate's stored schedule spec (JSON text, as written), by candidate id. */
export function candidateSchedules(store: Store, runId: number): Map<number, string> {
  const rows = sql(store).prepare('SELECT id, schedule FROM candidates WHERE run_id = ?').all(runId) as {id: number; schedule: string}[]
  return new Map(rows.map((r) => [r.id, r.schedule]))
}

export interface TrainStepRow extends StepRecord {
  candidateId: number
}

const SELECT_STEPS = `
  SELECT s.candidate_id AS candidateId, s.step, s.lr, s.loss, s.grad_norm AS gradNorm, s.clipped, s.tokens_per_s AS tokensPerS, s.val_loss AS valLoss,
         s.target_loss AS targetLoss, s.replay_loss AS replayLoss, s.batch_size AS batchSize, s.clip_norm AS clipNorm,
         s.weight_decay AS weightDecay, s.ema_decay AS emaDecay
  FROM train_steps s JOIN candidates c ON c.id = s.candidate_id`

function stepRows(rows: Array<Omit<TrainStepRow, 'clipped'> & {clipped: number}>): TrainStepRow[] {
  return rows.map((r) => ({...r, clipped: r.clipped === 1}))
}

/** Every step of a run's candidates (for reports and charts). */
export function runSteps(store: Store, runId: number): TrainStepRow[] {
  return stepRows(sql(store).prepare(`${SELECT_STEPS} WHERE c.run_id = ? ORDER BY s.candidate_id, s.step`).all(runId) as Parameters<typeof stepRows>[0])
}

/** The stored steps of one candidate, in step order: its lr and every other scheduled value (`lrgate schedule --run`). */
export function candidateSteps(store: Store, candidateId: number): TrainStepRow[] {
  return stepRows(sql(store).prepare(`${SELECT_STEPS} WHERE s.candidate_id = ? ORDER BY s.step`).all(candidateId) as Parameters<typeof stepRows>[0])
}

/**
 * The folder holding a run's candidate folders (<db dir>/runs/<run>-<token>), read back from the
 * candidates' artifact_dir (<that>/<label>/model); null when the run keeps no artifacts.
 */
export function runArtifactRoot(store: Store, runId: number): string | null {
  const dir = sql(store).prepare('SELECT artifact_dir FROM candidates WHERE run_id = ? AND artifact_dir IS NOT NULL ORDER BY id LIMIT 1').pluck().get(runId) as string | undefined
  return dir === undefined ? null : dirname(dirname(dir))
}

/** On --resume: failed candidates become pending again, so they are rerun (completed ones never are). */
export function reopenFailedCandidates(store: Store, runId: number): number {
  return sql(store).prepare("UPDATE candidates SET status = 'pending', status_reason = NULL, finished_at = NULL WHERE run_id = ? AND status = 'failed'").run(runId).changes
}
