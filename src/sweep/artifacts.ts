import {existsSync, lstatSync, readdirSync, rmSync} from 'node:fs'
import {dirname, join, relative, sep} from 'node:path'

import type {Store} from '../store/db.js'
import {getEvaluation} from '../store/evaluations.js'
import {latestPromotion} from '../store/promotions.js'
import {getCandidate, latestSweepRun, listRuns, runCandidates} from '../store/runs-read.js'
import {relocateDir} from '../util/relocate.js'

/** Bytes of every file under `path` (symlinks counted as links, never followed); 0 when missing. */
export function diskBytes(path: string): number {
  if (!existsSync(path)) return 0
  const stat = lstatSync(path)
  if (!stat.isDirectory()) return stat.size
  let total = 0
  for (const entry of readdirSync(path)) total += diskBytes(join(path, entry))
  return total
}

/** The folder holding the database; sweeps keep their artifacts under its runs/. */
function storeDir(db: Store): string {
  return dirname(db.file)
}

/**
 * A candidate's folder on this machine (its fine-tuned model, checkpoints), from the stored model
 * path `<store>/runs/<run>-<token>/<candidate>/model`: null when it is gone or lies outside
 * `<store>/runs/` (nothing outside lrgate's own folder is ever measured or deleted).
 */
function candidateFolder(db: Store, artifactDir: string | null): string | null {
  const runsRoot = join(storeDir(db), 'runs')
  const model = relocateDir(artifactDir, [storeDir(db)], 'config.json') ?? artifactDir
  if (model === null) return null
  const folder = dirname(model)
  const rel = relative(runsRoot, folder)
  if (rel === '' || rel.startsWith('..') || rel.split(sep).length !== 2 || !existsSync(folder)) return null
  return folder
}

/** Bytes of the artifacts each run keeps on disk (its candidates' folders), by run id. */
export function runDiskUsage(db: Store, runIds: number[]): Map<number, number> {
  const usage = new Map<number, number>()
  for (const id of runIds) {
    let total = 0
    for (const c of runCandidates(db, id)) {
      const folder = candidateFolder(db, c.artifactDir)
      if (folder !== null) total += diskBytes(folder)
    }
    usage.set(id, total)
  }
  return usage
}

export interface PruneResult {
  /** Candidate folders kept, with why (`promoted`, `recommended by run #3`). */
  kept: {runId: number; label: string; folder: string; why: string}[]
  /** Candidate folders deleted (or that would be, with dryRun). */
  removed: {runId: number; label: string; folder: string; bytes: number}[]
  /** Bytes freed (or that would be). */
  bytesFreed: number
}

/**
 * `lrgate runs prune`: deletes the fine-tuned models and checkpoints of every candidate except the
 * promoted model and the latest sweep's recommended candidate, so the database's folder holds what
 * a weekly retrain needs next time. Runs still `running` are left alone; only folders under
 * `<database folder>/runs/` are touched; the database rows stay (history is never deleted).
 *
 * @example pruneArtifacts(db).bytesFreed // 9_830_400 after a default 4-candidate sweep
 */
export function pruneArtifacts(db: Store, options: {dryRun?: boolean} = {}): PruneResult {
  // Kept by folder, not by candidate: a promoted re-evaluation (`<label>@<dataset>`) points at the
  // same model folder as the candidate it re-scored.
  const keep = new Map<string, string>()
  const promotion = latestPromotion(db)
  const promoted = promotion === undefined ? undefined : getEvaluation(db, promotion.evaluationId)
  const promotedFolder = candidateFolder(db, promotion?.modelDir ?? promoted?.modelDir ?? null)
  if (promotedFolder !== null) keep.set(promotedFolder, 'promoted')
  const latest = latestSweepRun(db)
  const recommended = latest?.recommendedCandidateId == null ? undefined : getCandidate(db, latest.recommendedCandidateId)
  const recommendedFolder = candidateFolder(db, recommended?.artifactDir ?? null)
  if (recommendedFolder !== null && !keep.has(recommendedFolder)) keep.set(recommendedFolder, `recommended by run #${latest!.id}`)

  const result: PruneResult = {kept: [], removed: [], bytesFreed: 0}
  for (const run of listRuns(db, Number.MAX_SAFE_INTEGER)) {
    if (run.status === 'running') continue
    for (const c of runCandidates(db, run.id)) {
      const folder = candidateFolder(db, c.artifactDir)
      if (folder === null) continue
      const why = keep.get(folder)
      if (why !== undefined) {
        result.kept.push({runId: run.id, label: c.label, folder, why})
        continue
      }
      const bytes = diskBytes(folder)
      result.removed.push({runId: run.id, label: c.label, folder, bytes})
      result.bytesFreed += bytes
      if (options.dryRun !== true) rmSync(folder, {recursive: true, force: true})
    }
  }
  if (options.dryRun !== true) removeEmptyRunFolders(db)
  return result
}

function removeEmptyRunFolders(db: Store): void {
  const runsRoot = join(storeDir(db), 'runs')
  if (!existsSync(runsRoot)) return
  for (const entry of readdirSync(runsRoot)) {
    const folder = join(runsRoot, entry)
    if (lstatSync(folder).isDirectory() && readdirSync(folder).length === 0) rmSync(folder, {recursive: true})
  }
}

/** "3.2 MB": bytes in powers of 1,000 with one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}

