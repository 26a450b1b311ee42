import {type Db, nowIso} from './db.js'

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed'

export interface NewRun {
  kind: 'sweep' | 'find-lr' | 'pretrain'
  name: string | null
  seed: number
  config: unknown
  backend: string
  backendReason: string
  baseModel: string
  trainDatasetId: number | null
  evalDatasetId: number | null
}

/** Creates a run in status `running`; returns its id. */
export function insertRun(db: Db, run: NewRun): number {
  const info = db
    .prepare(
      `INSERT INTO runs (kind, name, status, seed, config, backend, backend_reason, base_model, train_dataset_id, eval_dataset_id, created_at)
       VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(run.kind, run.name, run.seed, JSON.stringify(run.config), run.backend, run.backendReason, run.baseModel, run.trainDatasetId, run.evalDatasetId, nowIso())
  return Number(info.lastInsertRowid)
}

export function setRunStatus(db: Db, id: number, status: RunStatus): void {
  db.prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?').run(status, status === 'running' ? null : nowIso(), id)
}

/** A resumed run records the backend it now runs on. */
export function setRunBackend(db: Db, id: number, backend: string, reason: string): void {
  db.prepare('UPDATE runs SET backend = ?, backend_reason = ? WHERE id = ?').run(backend, reason, id)
}

export function setBaseEvaluation(db: Db, id: number, evaluationId: number): void {
  db.prepare('UPDATE runs SET base_evaluation_id = ? WHERE id = ?').run(evaluationId, id)
}

export function setRecommended(db: Db, id: number, candidateId: number | null): void {
  db.prepare('UPDATE runs SET recommended_candidate_id = ? WHERE id = ?').run(candidateId, id)
}

/** The stored config of a run (what `--resume` continues with). */
export function runConfig(db: Db, id: number): {config: unknown; kind: string; status: string} | undefined {
  const row = db.prepare('SELECT config, kind, status FROM runs WHERE id = ?').get(id) as {config: string; kind: string; status: string} | undefined
  return row ? {config: JSON.parse(row.config), kind: row.kind, status: row.status} : undefined
}
