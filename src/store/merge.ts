import {InputError} from '../errors.js'
import {type Store, nowIso} from './db.js'
import {type Sql, sql} from './sql.js'

/** A sweep run of a database being merged (see copyRun). */
export interface SourceRun {
  id: number
  uid: string | null
  name: string
  planHash: string | null
  /** "I/N" for a `sweep --shard` run, else null */
  shard: string | null
  status: string
  seed: number
  baseEvaluationId: number | null
  evalDatasetId: number | null
  config: unknown
}

/** A sweep run of the destination, found by name. */
export interface DestRun {
  id: number
  uid: string | null
  planHash: string | null
  baseEvaluationId: number | null
  config: unknown
}

type Row = Record<string, unknown>

/** Every sweep run of a database, oldest first. */
export function sweepRuns(store: Store): SourceRun[] {
  const rows = sql(store)
    .prepare(`SELECT id, uid, name, plan_hash AS planHash, shard, status, seed, base_evaluation_id AS baseEvaluationId, eval_dataset_id AS evalDatasetId, config
              FROM runs WHERE kind = 'sweep' ORDER BY id`)
    .all() as Array<Omit<SourceRun, 'config'> & {config: string}>
  return rows.map((r) => ({...r, name: r.name ?? `sweep-${r.id}`, config: JSON.parse(r.config) as unknown}))
}

/** The destination's sweep run called `name` (the one a merge adds to), if any. */
export function destRunNamed(store: Store, name: string): DestRun | undefined {
  const row = sql(store)
    .prepare(`SELECT id, uid, plan_hash AS planHash, base_evaluation_id AS baseEvaluationId, config FROM runs WHERE kind = 'sweep' AND name = ? ORDER BY id LIMIT 1`)
    .get(name) as (Omit<DestRun, 'config'> & {config: string}) | undefined
  return row === undefined ? undefined : {...row, config: JSON.parse(row.config) as unknown}
}

/** Whether the run with this unique id was already merged into (or is itself in) the destination. */
export function alreadyMerged(store: Store, uid: string): boolean {
  const db = sql(store)
  return (db.prepare('SELECT 1 FROM merged_runs WHERE source_uid = ?').get(uid) ?? db.prepare('SELECT 1 FROM runs WHERE uid = ?').get(uid)) !== undefined
}

/** The shard labels ("I/N") merged into a destination run so far. */
export function mergedShards(store: Store, runId: number): string[] {
  return sql(store).prepare('SELECT shard FROM merged_runs WHERE run_id = ? AND shard IS NOT NULL ORDER BY shard').pluck().all(runId) as string[]
}

/** The (name, version, hash) of a stored dataset id. */
export function datasetIdentity(store: Store, id: number): {name: string; version: string; hash: string} | undefined {
  return sql(store).prepare('SELECT name, version, hash FROM datasets WHERE id = ?').get(id) as {name: string; version: string; hash: string} | undefined
}

/** What the destination's new merged run starts as. */
export interface NewMergedRun {
  uid: string
  config: unknown
}

/**
 * Copies one sweep run of `src` into `dest` (call inside one writeTransaction on dest): its datasets
 * (matched by name@version; a different hash is an InputError), candidates, train steps, rungs,
 * evaluations with their records, scores and cohort rows, and gate decisions with their rows, every
 * id remapped. With `into` the candidates join that destination run and the source's base evaluation
 * is mapped onto the destination's (`into.baseEvaluationId`, compared by the caller); without it a
 * new run is made (`created`). Records the source run's uid in merged_runs. Returns the
 * destination run id and the artifact folders the copied candidates reference.
 */
export function copyRun(dest: Store, src: Store, run: SourceRun, into: DestRun | null, created: NewMergedRun, sourceFile: string): {runId: number; artifactDirs: string[]} {
  const d = sql(dest)
  const s = sql(src)
  const datasets = new Map<number, number>()
  const datasetId = (id: number | null): number | null => {
    if (id === null) return null
    if (!datasets.has(id)) datasets.set(id, mapDataset(d, s, id, sourceFile))
    return datasets.get(id)!
  }
  const srcRun = s.prepare('SELECT * FROM runs WHERE id = ?').get(run.id) as Row
  let runId: number
  if (into === null) {
    const {id: _id, base_evaluation_id: _b, recommended_candidate_id: _r, ...rest} = srcRun
    runId = insert(d, 'runs', {
      ...rest, uid: created.uid, shard: null, config: JSON.stringify(created.config),
      train_dataset_id: datasetId(srcRun.train_dataset_id as number | null), eval_dataset_id: datasetId(srcRun.eval_dataset_id as number | null),
    })
  } else {
    runId = into.id
  }

  // Evaluations of the run (base, candidates, re-evaluated baselines, seed means), minus a base already in dest.
  const evaluations = new Map<number, number>()
  if (into !== null && run.baseEvaluationId !== null && into.baseEvaluationId !== null) evaluations.set(run.baseEvaluationId, into.baseEvaluationId)
  const candidates = new Map<number, number>()
  const srcCandidates = s.prepare('SELECT * FROM candidates WHERE run_id = ? ORDER BY id').all(run.id) as Row[]
  for (const c of srcCandidates) {
    const {id, evaluation_id: _e, gate_id: _g, parent_id: _p, ...rest} = c
    candidates.set(id as number, insert(d, 'candidates', {...rest, run_id: runId}))
  }
  for (const c of srcCandidates) {
    if (c.parent_id !== null && c.parent_id !== undefined) d.prepare('UPDATE candidates SET parent_id = ? WHERE id = ?').run(candidates.get(c.parent_id as number) ?? null, candidates.get(c.id as number))
  }
  for (const table of ['train_steps', 'rungs']) {
    for (const row of s.prepare(`SELECT t.* FROM ${table} t JOIN candidates c ON c.id = t.candidate_id WHERE c.run_id = ?`).all(run.id) as Row[]) {
      insert(d, table, {...row, candidate_id: candidates.get(row.candidate_id as number)})
    }
  }
  const srcEvaluations = s.prepare('SELECT * FROM evaluations WHERE run_id = ? ORDER BY id').all(run.id) as Row[]
  for (const e of srcEvaluations) {
    if (evaluations.has(e.id as number)) continue
    const {id, ...rest} = e
    const seedMeanOf = typeof rest.seed_mean_of === 'string' ? JSON.stringify((JSON.parse(rest.seed_mean_of) as number[]).map((x) => evaluations.get(x) ?? x)) : rest.seed_mean_of
    const newId = insert(d, 'evaluations', {
      ...rest, run_id: runId, dataset_id: datasetId(rest.dataset_id as number),
      candidate_id: rest.candidate_id === null ? null : (candidates.get(rest.candidate_id as number) ?? null),
      ...(rest.seed_mean_of === undefined ? {} : {seed_mean_of: seedMeanOf}),
    })
    evaluations.set(id as number, newId)
    for (const table of ['record_outputs', 'record_scores', 'cohort_metrics']) {
      for (const row of s.prepare(`SELECT * FROM ${table} WHERE evaluation_id = ?`).all(id) as Row[]) insert(d, table, {...row, evaluation_id: newId})
    }
  }
  // Gates between two copied evaluations: the shard's decisions, kept as history.
  const gates = new Map<number, number>()
  const srcIds = [...evaluations.keys()]
  for (const g of s.prepare(`SELECT * FROM gates WHERE candidate_evaluation_id IN (${srcIds.map(() => '?').join(',') || 'NULL'}) ORDER BY id`).all(...srcIds) as Row[]) {
    const base = evaluations.get(g.baseline_evaluation_id as number)
    if (base === undefined) continue
    const {id, ...rest} = g
    const newId = insert(d, 'gates', {...rest, candidate_evaluation_id: evaluations.get(g.candidate_evaluation_id as number), baseline_evaluation_id: base})
    gates.set(id as number, newId)
    for (const row of s.prepare('SELECT * FROM gate_results WHERE gate_id = ?').all(id) as Row[]) insert(d, 'gate_results', {...row, gate_id: newId})
  }
  for (const c of srcCandidates) {
    d.prepare('UPDATE candidates SET evaluation_id = ?, gate_id = ? WHERE id = ?').run(
      c.evaluation_id === null ? null : (evaluations.get(c.evaluation_id as number) ?? null),
      c.gate_id === null ? null : (gates.get(c.gate_id as number) ?? null),
      candidates.get(c.id as number),
    )
  }
  if (into === null && run.baseEvaluationId !== null) d.prepare('UPDATE runs SET base_evaluation_id = ? WHERE id = ?').run(evaluations.get(run.baseEvaluationId) ?? null, runId)
  d.prepare('INSERT INTO merged_runs (run_id, source_uid, shard, source, merged_at) VALUES (?, ?, ?, ?, ?)').run(runId, run.uid, run.shard, sourceFile, nowIso())
  return {runId, artifactDirs: srcCandidates.flatMap((c) => [c.artifact_dir, c.adapter_dir].filter((x): x is string => typeof x === 'string'))}
}

/** Points the destination's candidate artifact folders somewhere else (merge --copy-artifacts). */
export function moveArtifactDirs(store: Store, runId: number, moved: ReadonlyMap<string, string>): void {
  const db = sql(store)
  for (const [from, to] of moved) {
    db.prepare('UPDATE candidates SET artifact_dir = ? WHERE run_id = ? AND artifact_dir = ?').run(to, runId, from)
    db.prepare('UPDATE candidates SET adapter_dir = ? WHERE run_id = ? AND adapter_dir = ?').run(to, runId, from)
    db.prepare('UPDATE evaluations SET model_dir = ? WHERE run_id = ? AND model_dir = ?').run(to, runId, from)
  }
}

/** Marks a merged run's status (completed once every shard is in). */
export function setMergedStatus(store: Store, runId: number, status: 'completed' | 'interrupted'): void {
  sql(store).prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?').run(status, nowIso(), runId)
}

function mapDataset(d: Sql, s: Sql, id: number, sourceFile: string): number {
  const row = s.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as Row & {name: string; version: string; hash: string}
  const existing = d.prepare('SELECT id, hash FROM datasets WHERE name = ? AND version = ?').get(row.name, row.version) as {id: number; hash: string} | undefined
  if (existing !== undefined) {
    if (existing.hash !== row.hash) {
      throw new InputError(`${sourceFile}: dataset ${row.name}@${row.version} has content hash ${row.hash.slice(0, 12)} there but ${existing.hash.slice(0, 12)} in the destination; versions are immutable, so these databases did not use the same data. Nothing was merged.`)
    }
    return existing.id
  }
  const {id: _id, ...rest} = row
  return insert(d, 'datasets', rest)
}

/** INSERT of a row's columns that the destination table has; returns the new rowid. */
function insert(d: Sql, table: string, row: Row): number {
  const columns = destColumns(d, table)
  const keys = Object.keys(row).filter((k) => columns.has(k))
  const info = d.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`).run(...keys.map((k) => row[k]))
  return Number(info.lastInsertRowid)
}

const columnCache = new WeakMap<Sql, Map<string, Set<string>>>()

function destColumns(d: Sql, table: string): Set<string> {
  let tables = columnCache.get(d)
  if (tables === undefined) columnCache.set(d, (tables = new Map()))
  let columns = tables.get(table)
  if (columns === undefined) {
    columns = new Set((d.prepare(`PRAGMA table_info(${table})`).all() as Array<{name: string}>).map((c) => c.name))
    tables.set(table, columns)
  }
  return columns
}

/** The stored seed-mean evaluation of a run that averages exactly these evaluations, if any. */
export function seedMeanEvaluation(store: Store, runId: number, evaluationIds: readonly number[]): number | undefined {
  return sql(store).prepare('SELECT id FROM evaluations WHERE run_id = ? AND seed_mean_of = ? ORDER BY id DESC LIMIT 1').pluck().get(runId, JSON.stringify(evaluationIds)) as number | undefined
}

/** The artifact folders (model, LoRA adapter) a run's candidates reference. */
export function runArtifactDirs(store: Store, runId: number): string[] {
  const rows = sql(store).prepare('SELECT artifact_dir AS a, adapter_dir AS b FROM candidates WHERE run_id = ? ORDER BY id').all(runId) as Array<{a: string | null; b: string | null}>
  return rows.flatMap((r) => [r.a, r.b].filter((x): x is string => x !== null))
}
