import type {Store} from './db.js'
import {sql} from './sql.js'

/** What an external trainer left on a candidate for a person to read. */
export interface TrainerNotes {
  label: string
  warnings: string[]
  /** the last log lines of a failed trainer (secrets already masked), or null */
  logTail: string[] | null
}

/** Replaces a candidate's warnings (JSON list of sentences). */
export function setCandidateWarnings(store: Store, candidateId: number, warnings: readonly string[]): void {
  sql(store).prepare('UPDATE candidates SET warnings = ? WHERE id = ?').run(warnings.length === 0 ? null : JSON.stringify(warnings), candidateId)
}

/** Stores (or clears, with null) the last log lines of a candidate's trainer. */
export function setCandidateLogTail(store: Store, candidateId: number, lines: readonly string[] | null): void {
  sql(store).prepare('UPDATE candidates SET log_tail = ? WHERE id = ?').run(lines === null ? null : lines.join('\n'), candidateId)
}

/** Notes of a run's candidates that have any, in candidate order. */
export function runTrainerNotes(store: Store, runId: number): TrainerNotes[] {
  const rows = sql(store)
    .prepare('SELECT label, warnings, log_tail AS logTail FROM candidates WHERE run_id = ? AND (warnings IS NOT NULL OR log_tail IS NOT NULL) ORDER BY id')
    .all(runId) as Array<{label: string; warnings: string | null; logTail: string | null}>
  return rows.map((r) => ({label: r.label, warnings: r.warnings === null ? [] : (JSON.parse(r.warnings) as string[]), logTail: r.logTail === null ? null : r.logTail.split('\n')}))
}
