import {type Store, nowIso, writeTransaction} from './db.js'
import {sql} from './sql.js'

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed'

export interface NewRun {
  kind: 'sweep' | 'find-lr' | 'pretrain' | 'controller'
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
export function insertRun(store: Store, run: NewRun): number {
  const db = sql(store)
  const info = db
    .prepare(
      `INSERT INTO runs (kind, name, status, seed, config, backend, backend_reason, base_model, train_dataset_id, eval_dataset_id, created_at)
       VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(run.kind, run.name, run.seed, JSON.stringify(run.config), run.backend, run.backendReason, run.baseModel, run.trainDatasetId, run.evalDatasetId, nowIso())
  return Number(info.lastInsertRowid)
}

/** Names a run (a sweep without --name is called sweep-<id>, known only once the row exists). */
export function setRunName(store: Store, id: number, name: string): void {
  sql(store).prepare('UPDATE runs SET name = ? WHERE id = ?').run(name, id)
}

/** A run's unique id, plan hash and shard ("I/N", or null): what `lrgate merge` matches shards by. */
export function setRunIdentity(store: Store, id: number, identity: {uid: string; planHash: string | null; shard: string | null}): void {
  sql(store).prepare('UPDATE runs SET uid = ?, plan_hash = ?, shard = ? WHERE id = ?').run(identity.uid, identity.planHash, identity.shard, id)
}

/** What the HTML report shows beyond RunRow: the stored config, the backend's reason, the datasets. */
export interface RunExtras {
  config: unknown
  backendReason: string | null
  trainDatasetId: number | null
  evalDatasetId: number | null
}

export function runExtras(store: Store, id: number): RunExtras | undefined {
  const row = sql(store)
    .prepare('SELECT config, backend_reason AS backendReason, train_dataset_id AS trainDatasetId, eval_dataset_id AS evalDatasetId FROM runs WHERE id = ?')
    .get(id) as (Omit<RunExtras, 'config'> & {config: string}) | undefined
  return row === undefined ? undefined : {...row, config: JSON.parse(row.config) as unknown}
}

/**
 * Sets a run's status. A run that stops (interrupted, failed, completed) leaves none of its
 * candidates `running`: those it was running go back to `pending`, which is what --resume picks up
 * (one transaction, so no reader sees a stopped run with a running candidate).
 */
export function setRunStatus(store: Store, id: number, status: RunStatus): void {
  const db = sql(store)
  writeTransaction(store, () => {
    db.prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?').run(status, status === 'running' ? null : nowIso(), id)
    if (status !== 'running') db.prepare("UPDATE candidates SET status = 'pending' WHERE run_id = ? AND status = 'running'").run(id)
  })
}

/** A resumed run records the backend it now runs on. */
export function setRunBackend(store: Store, id: number, backend: string, reason: string): void {
  const db = sql(store)
  db.prepare('UPDATE runs SET backend = ?, backend_reason = ? WHERE id = ?').run(backend, reason, id)
}

export function setBaseEvaluation(store: Store, id: number, evaluationId: number): void {
  const db = sql(store)
  db.prepare('UPDATE runs SET base_evaluation_id = ? WHERE id = ?').run(evaluationId, id)
}

export function setRecommended(store: Store, id: number, candidateId: number | null): void {
  const db = sql(store)
  db.prepare('UPDATE runs SET recommended_candidate_id = ? WHERE id = ?').run(candidateId, id)
}

/** The stored config of a run (what `--resume` continues with). */
export function runConfig(store: Store, id: number): {config: unknown; kind: string; status: string} | undefined {
  const db = sql(store)
  const row = db.prepare('SELECT config, kind, status FROM runs WHERE id = ?').get(id) as {config: string; kind: string; status: string} | undefined
  return row ? {config: JSON.parse(row.config), kind: row.kind, status: row.status} : undefined
}
