import {type Store, writeTransaction} from './db.js'
import {setRunStatus} from './runs.js'
import {sql} from './sql.js'

/** One decision of an episode as stored (the PPO sample and the rate it set). */
export interface StoredDecision {
  step: number
  action: number
  lrBefore: number
  lrAfter: number
  state: number[]
  logp: number
  value: number
  /** the validation loss seen when it was made */
  valLoss: number | null
}

/** One controller-training episode, whole (controller_episodes). */
export interface ControllerEpisodeRow {
  episode: number
  task: string
  seed: number
  status: string
  return: number
  /** lr applied at each optimizer step */
  lrs: number[]
  decisions: StoredDecision[]
  rewards: number[]
  /** target validation loss at the start, at each decision, and at the end */
  valLosses: number[]
  /** out-of-domain probe loss at the same points */
  probeLosses: number[]
  seconds: number
}

/** Stores finished episodes (a PPO batch) in one transaction; storing an episode again replaces it. */
export function recordControllerEpisodes(store: Store, runId: number, episodes: readonly ControllerEpisodeRow[]): void {
  const insert = sql(store).prepare(
    `INSERT OR REPLACE INTO controller_episodes (run_id, episode, task, seed, status, return, lrs, decisions, rewards, val_losses, probe_losses, seconds)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  writeTransaction(store, () => {
    for (const e of episodes) {
      insert.run(runId, e.episode, e.task, e.seed, e.status, e.return, JSON.stringify(e.lrs), JSON.stringify(e.decisions), JSON.stringify(e.rewards), JSON.stringify(e.valLosses), JSON.stringify(e.probeLosses), e.seconds)
    }
  })
}

/** A controller run's episodes in order (empty for another kind of run). */
export function controllerEpisodes(store: Store, runId: number): ControllerEpisodeRow[] {
  const rows = sql(store)
    .prepare(
      `SELECT episode, task, seed, status, return, lrs, decisions, rewards, val_losses AS valLosses, probe_losses AS probeLosses, seconds
       FROM controller_episodes WHERE run_id = ? ORDER BY episode`,
    )
    .all(runId) as Array<Record<string, unknown>>
  return rows.map((r) => ({
    episode: r.episode as number, task: r.task as string, seed: r.seed as number, status: r.status as string, return: r.return as number,
    lrs: JSON.parse(r.lrs as string), decisions: JSON.parse(r.decisions as string), rewards: JSON.parse(r.rewards as string),
    valLosses: JSON.parse(r.valLosses as string), probeLosses: JSON.parse(r.probeLosses as string), seconds: r.seconds as number,
  }))
}

/** Records the controller file a run wrote (its path and JSON, as written) and completes the run, in one transaction. */
export function finishControllerRun(store: Store, runId: number, file: string, controllerJson: string): void {
  writeTransaction(store, () => {
    sql(store).prepare('INSERT OR REPLACE INTO controller_results (run_id, file, controller) VALUES (?, ?, ?)').run(runId, file, controllerJson)
    setRunStatus(store, runId, 'completed')
  })
}

/** The controller file a run wrote, or undefined while it runs (or for another kind of run). */
export function controllerResult(store: Store, runId: number): {file: string; controller: string} | undefined {
  return sql(store).prepare('SELECT file, controller FROM controller_results WHERE run_id = ?').get(runId) as {file: string; controller: string} | undefined
}
