import type {Store} from './db.js'
import {sql} from './sql.js'

/**
 * The median training throughput (tokens per second, as each step recorded it) of earlier sweeps of
 * this base model (its stored path), with how many steps it comes from; null when there are none.
 */
export function medianTokensPerSecond(store: Store, baseModel: string): {tokensPerS: number; steps: number; runs: number} | null {
  const rows = sql(store)
    .prepare(
      `SELECT s.tokens_per_s AS tps, c.run_id AS run FROM train_steps s JOIN candidates c ON c.id = s.candidate_id JOIN runs r ON r.id = c.run_id
       WHERE r.base_model = ? AND s.tokens_per_s > 0 ORDER BY s.tokens_per_s`,
    )
    .all(baseModel) as {tps: number; run: number}[]
  if (rows.length === 0) return null
  return {tokensPerS: rows[Math.floor(rows.length / 2)].tps, steps: rows.length, runs: new Set(rows.map((r) => r.run)).size}
}
