import type {ControllerEpisodeRow} from '../store/controller-runs.js'
import {renderTable} from './table.js'

/**
 * `lrgate runs show` for a run of kind `controller`: one row per episode (task, status, return, the
 * applied lr at the first and last step and its peak, wall time), then the mean return of the first
 * and last 10% of the episodes (the "did it learn" numbers) and the file the run wrote.
 */
export function controllerRunLines(episodes: readonly ControllerEpisodeRow[], result: {file: string} | undefined): string[] {
  if (episodes.length === 0) return ['(no episodes stored yet)']
  const e3 = (x: number) => x.toExponential(2)
  const table = renderTable(
    ['episode', 'task', 'status', 'return', 'lr first → last', 'peak lr', 'decisions', 'seconds'],
    episodes.map((e) => [String(e.episode + 1), e.task, e.status, e.return.toFixed(4), `${e3(e.lrs[0])} → ${e3(e.lrs[e.lrs.length - 1])}`, e3(Math.max(...e.lrs)), String(e.decisions.length), e.seconds.toFixed(0)]),
    [0, 3, 6, 7],
  )
  const tenth = Math.max(1, Math.floor(episodes.length / 10))
  const mean = (xs: readonly ControllerEpisodeRow[]) => xs.reduce((a, e) => a + e.return, 0) / xs.length
  return [
    table,
    `mean return of the first ${tenth} episode(s) ${mean(episodes.slice(0, tenth)).toFixed(4)}, of the last ${tenth} ${mean(episodes.slice(-tenth)).toFixed(4)}`,
    result === undefined ? 'controller file: not written (the run did not finish)' : `controller file: ${result.file}`,
  ]
}
