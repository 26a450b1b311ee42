import {type Store, writeTransaction} from './db.js'
import {sql} from './sql.js'

export interface RungRow {
  candidateId: number
  label: string
  step: number
  valLoss: number
  probeNll: number | null
  probeTokens: number | null
  kept: boolean | null
  reason: string | null
}

/** A candidate's measurement at a rung (idempotent: a resumed worker may write it again). */
export function recordRung(store: Store, candidateId: number, step: number, valLoss: number, probe: {nll: number; tokens: number} | null): void {
  const db = sql(store)
  db.prepare(
    `INSERT INTO rungs (candidate_id, step, val_loss, probe_nll, probe_tokens) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (candidate_id, step) DO UPDATE SET val_loss = excluded.val_loss, probe_nll = excluded.probe_nll, probe_tokens = excluded.probe_tokens`,
  ).run(candidateId, step, valLoss, probe?.nll ?? null, probe?.tokens ?? null)
}

export function runRungs(store: Store, runId: number): RungRow[] {
  const db = sql(store)
  return (
    db
      .prepare(
        `SELECT r.candidate_id AS candidateId, c.label, r.step, r.val_loss AS valLoss, r.probe_nll AS probeNll, r.probe_tokens AS probeTokens, r.kept, r.reason
         FROM rungs r JOIN candidates c ON c.id = r.candidate_id WHERE c.run_id = ? ORDER BY r.step, c.id`,
      )
      .all(runId) as Array<Omit<RungRow, 'kept'> & {kept: number | null}>
  ).map((r) => ({...r, kept: r.kept === null ? null : r.kept === 1}))
}

/** Stores a rung's decisions and prunes the losers, in one transaction. */
export function decideRungRows(store: Store, step: number, decisions: ReadonlyArray<{candidateId: number; keep: boolean; reason: string}>): void {
  const db = sql(store)
  const mark = db.prepare('UPDATE rungs SET kept = ?, reason = ? WHERE candidate_id = ? AND step = ?')
  const prune = db.prepare("UPDATE candidates SET status = 'pruned', status_reason = ? WHERE id = ?")
  writeTransaction(store, () => {
    for (const d of decisions) {
      mark.run(d.keep ? 1 : 0, d.reason, d.candidateId, step)
      if (!d.keep) prune.run(`pruned at step ${step}: ${d.reason}`, d.candidateId)
    }
  })
}

/** The candidates of a run measured at rung `step` (a resumed phase skips them). */
export function measuredAtRung(store: Store, runId: number, step: number): number[] {
  return sql(store)
    .prepare('SELECT candidate_id FROM rungs r JOIN candidates c ON c.id = r.candidate_id WHERE c.run_id = ? AND r.step = ?')
    .pluck()
    .all(runId, step) as number[]
}
