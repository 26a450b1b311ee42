import {randomBytes} from 'node:crypto'
import {cp} from 'node:fs/promises'
import {existsSync, realpathSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {setImmediate as tick} from 'node:timers/promises'

import {InputError} from '../errors.js'
import {testHold} from '../process/test-hold.js'
import {relocateDir} from '../util/relocate.js'
import {type Store, openDbReadOnly, openStore, writeTransaction} from '../store/db.js'
import {getStoredDataset} from '../store/datasets.js'
import {cohortMetrics, getEvaluation} from '../store/evaluations.js'
import {alreadyMerged, copyRun, datasetIdentity, type DestRun, destRunNamed, mergedShards, moveArtifactDirs, runArtifactDirs, setMergedStatus, type SourceRun, sweepRuns} from '../store/merge.js'
import {getRun, runCandidates} from '../store/runs-read.js'
import {setRecommended} from '../store/runs.js'
import {regateMergedRun} from './merge-gate.js'
import type {CandidateSummary} from './verdicts.js'

export interface MergeRequest {
  /** shard databases (any sweep databases), in the order given */
  sources: readonly string[]
  /** the destination database (created when missing) */
  into: string
  /** copy each merged candidate's artifact folders under DIR/<sweep>/… and point the rows there */
  copyArtifacts?: string
  cwd: string
  /** true once SIGINT/SIGTERM came: checked right before the one transaction (nothing is merged then) */
  stopping?: () => boolean
  log?: (line: string) => void
}

/** What one destination sweep got from a merge. */
export interface MergedSweep {
  runId: number
  name: string
  /** source runs added now (already merged ones are skipped) */
  added: Array<{source: string; shard: string | null; candidates: number}>
  /** shards merged so far ("I/N") */
  shards: string[]
  status: 'completed' | 'interrupted'
  candidates: CandidateSummary[]
  recommended: string | null
}

export interface MergeOutcome {
  sweeps: MergedSweep[]
  /** source runs skipped because DEST already holds them (merge is idempotent) */
  skipped: Array<{source: string; name: string; shard: string | null}>
  /** true when a stop signal came before the transaction: nothing was written */
  stopped: boolean
}

/** Relative difference two copies of the base evaluation may show (e.g. different thread counts). */
export const BASE_TOLERANCE = 1e-6

/**
 * `lrgate merge`: copies the sweep runs of shard databases into DEST in ONE transaction (kill -9
 * leaves DEST as it was): shards with one name and plan hash become one run with all candidates and
 * one base evaluation; every candidate is then gated again against the destination's baseline
 * (gate.baseline: base → the run's base evaluation; promoted → DEST's promoted model, on the same
 * eval data) and the recommendation is computed over the whole grid. Runs DEST already holds are
 * skipped, so merging twice adds nothing. Everything is checked before anything is written:
 * InputError (exit 2, DEST unchanged) for a database from a newer lrgate, shards of one name with
 * different plan hashes (or a DEST run of that name with another plan), different dataset hashes,
 * or base evaluations that differ beyond BASE_TOLERANCE.
 */
export async function mergeShards(request: MergeRequest): Promise<MergeOutcome> {
  const log = request.log ?? (() => {})
  const destPath = resolve(request.cwd, request.into)
  const sources = request.sources.map((s) => resolve(request.cwd, s))
  for (const s of sources) {
    if (!existsSync(s)) throw new InputError(`${s}: no database there; give the shard databases to merge (SHARD.db …).`)
    if (existsSync(destPath) && realpathSync(s) === realpathSync(destPath)) throw new InputError(`${s}: is the destination itself (--into); give the shard databases and a separate --into.`)
  }
  const opened: Array<{file: string; store: Store}> = []
  let dest: Store | null = null
  try {
    for (const file of sources) opened.push({file, store: openDbReadOnly(file)})
    dest = openStore(destPath)
    const plan = planMerge(dest, opened)
    const outcome: MergeOutcome = {sweeps: [], skipped: plan.skipped, stopped: false}
    if (plan.groups.length === 0) return outcome

    // Artifacts are copied before the transaction (a kill leaves at most extra files, never a half-merged DEST).
    const moved = new Map<string, Map<string, string>>()
    if (request.copyArtifacts !== undefined) {
      const root = resolve(request.cwd, request.copyArtifacts)
      for (const group of plan.groups) {
        const map = new Map<string, string>()
        for (const part of group.parts) {
          for (const stored of artifactDirsOf(part.store, part.run)) {
            // Where the shard's runner wrote it, or the same folder restored beside the shard's database
            // (an artifact downloaded into another workspace). A candidate that diverged or failed has none.
            const dir = relocateDir(stored, [dirname(part.file)], 'config.json') ?? relocateDir(stored, [dirname(part.file)], 'adapter.json')
            if (dir === null) continue
            const to = join(root, safeName(group.name), `${part.run.shard?.replace('/', '-of-') ?? part.run.uid ?? part.run.id}`, basename(join(dir, '..')), basename(dir))
            await cp(dir, to, {recursive: true})
            map.set(stored, to)
          }
        }
        moved.set(group.name, map)
      }
    }
    // Let a pending SIGINT/SIGTERM be handled now; after this point the merge is one transaction.
    await tick()
    testHold('merge-before-transaction')
    await tick()
    if (request.stopping?.() === true) return {...outcome, stopped: true}

    const store = dest
    const merged = writeTransaction(store, () =>
      plan.groups.map((group) => {
        let into = group.dest
        const added: MergedSweep['added'] = []
        let runId = into?.id ?? -1
        for (const part of group.parts) {
          const config = {...(part.run.config as Record<string, unknown>), shard: null}
          const copied = copyRun(store, part.store, part.run, into, {uid: randomBytes(8).toString('hex'), config}, part.file)
          runId = copied.runId
          into ??= destRunNamed(store, group.name)!
          added.push({source: part.file, shard: part.run.shard, candidates: part.candidates})
        }
        const map = moved.get(group.name)
        if (map !== undefined) moveArtifactDirs(store, runId, map)
        testHold('merge-in-transaction')
        const shards = mergedShards(store, runId)
        const gated = regateMergedRun(store, runId)
        setRecommended(store, runId, gated.recommended?.id ?? null)
        const count = shardCount(group.parts[0].run.shard)
        const status = count === null || new Set(shards).size >= count ? 'completed' : 'interrupted'
        setMergedStatus(store, runId, status)
        log(`${group.name}: merged ${added.length} run(s) into run ${runId} (${shards.length > 0 ? `shards ${shards.join(', ')}` : 'unsharded'}); ${gated.candidates.length} candidates, recommended ${gated.recommended?.label ?? 'none'}`)
        return {runId, name: group.name, added, shards, status, candidates: gated.candidates, recommended: gated.recommended?.label ?? null} satisfies MergedSweep
      }),
    )
    return {...outcome, sweeps: merged}
  } finally {
    for (const o of opened) o.store.close()
    dest?.close()
  }
}

interface MergePart {
  file: string
  store: Store
  run: SourceRun
  candidates: number
}

interface MergeGroup {
  name: string
  dest: DestRun | null
  parts: MergePart[]
}

/** Groups the source runs by sweep name and checks them against each other and DEST (reads only). */
function planMerge(dest: Store, opened: ReadonlyArray<{file: string; store: Store}>): {groups: MergeGroup[]; skipped: MergeOutcome['skipped']} {
  const groups = new Map<string, MergeGroup>()
  const skipped: MergeOutcome['skipped'] = []
  const seen = new Set<string>()
  for (const {file, store} of opened) {
    for (const run of sweepRuns(store)) {
      if (run.uid === null) throw new InputError(`${file}: run ${run.id} ("${run.name}") was made by an lrgate without run ids (before merge existed); re-run that sweep, or merge only newer databases.`)
      if (run.status !== 'completed') throw new InputError(`${file}: run ${run.id} ("${run.name}") is ${run.status}; finish it first (lrgate sweep --resume ${run.id} --db ${file}). Nothing was merged.`)
      if (alreadyMerged(dest, run.uid) || seen.has(run.uid)) {
        skipped.push({source: file, name: run.name, shard: run.shard})
        continue
      }
      seen.add(run.uid)
      let group = groups.get(run.name)
      if (group === undefined) {
        const existing = destRunNamed(dest, run.name) ?? null
        group = {name: run.name, dest: existing, parts: []}
        groups.set(run.name, group)
      }
      const reference = group.dest?.planHash ?? group.parts[0]?.run.planHash ?? run.planHash
      if (group.dest !== null && group.dest.planHash === null) {
        throw new InputError(`${file}: sweep "${run.name}": the destination already has a run of that name made without a plan hash; merge into another --into. Nothing was merged.`)
      }
      if (run.planHash !== reference) {
        const other = group.parts[0]?.file ?? destName(dest)
        throw new InputError(`${file}: sweep "${run.name}" has plan hash ${run.planHash?.slice(0, 12)} but ${other} has ${reference?.slice(0, 12)} for that name: they are different sweeps (other flags, config or data); give them different --name, or re-run the odd shard. Nothing was merged.`)
      }
      const labels = new Set([...(group.dest ? runCandidates(dest, group.dest.id) : []), ...group.parts.flatMap((p) => runCandidates(p.store, p.run.id))].map((c) => c.label))
      const twice = runCandidates(store, run.id).map((c) => c.label).filter((l) => labels.has(l))
      if (twice.length > 0) {
        throw new InputError(`${file}: sweep "${run.name}" has candidate ${twice.join(', ')}, which ${group.parts[0]?.file ?? destName(dest)} already has: a shard of another sharding (or the whole sweep) under the same name and plan; merge each sharding into its own --into. Nothing was merged.`)
      }
      checkDatasets(dest, group, store, run, file)
      checkBase(dest, group, store, run, file)
      group.parts.push({file, store, run, candidates: candidateCount(store, run)})
    }
  }
  return {groups: [...groups.values()].filter((g) => g.parts.length > 0), skipped}
}

function destName(dest: Store): string {
  return `the destination (${dest.file})`
}

/** The eval dataset of a shard and of its sweep so far must be one content hash. */
function checkDatasets(dest: Store, group: MergeGroup, store: Store, run: SourceRun, file: string): void {
  const mine = run.evalDatasetId === null ? undefined : datasetIdentity(store, run.evalDatasetId)
  const first = group.parts[0]
  const theirs = first ? (first.run.evalDatasetId === null ? undefined : datasetIdentity(first.store, first.run.evalDatasetId)) : group.dest ? destEvalDataset(dest, group.dest.id) : undefined
  if (mine && theirs && mine.hash !== theirs.hash) {
    throw new InputError(`${file}: sweep "${run.name}" was evaluated on ${mine.name}@${mine.version} (hash ${mine.hash.slice(0, 12)}) but ${first?.file ?? destName(dest)} on ${theirs.name}@${theirs.version} (hash ${theirs.hash.slice(0, 12)}); shards of one sweep must use the same data. Nothing was merged.`)
  }
}

function destEvalDataset(dest: Store, runId: number): {name: string; version: string; hash: string} | undefined {
  const run = getRun(dest, runId)
  const base = run?.baseEvaluationId == null ? undefined : getEvaluation(dest, run.baseEvaluationId)
  return base === undefined ? undefined : getStoredDataset(dest, base.datasetId)
}

/** Every shard evaluates the base model itself: the copies must agree within BASE_TOLERANCE. */
function checkBase(dest: Store, group: MergeGroup, store: Store, run: SourceRun, file: string): void {
  if (run.baseEvaluationId === null) throw new InputError(`${file}: sweep "${run.name}" has no base evaluation; finish it first. Nothing was merged.`)
  const first = group.parts[0]
  const reference = first ? {store: first.store, id: first.run.baseEvaluationId!, file: first.file} : group.dest?.baseEvaluationId != null ? {store: dest, id: group.dest.baseEvaluationId, file: destName(dest)} : null
  if (reference === null) return
  const a = new Map(cohortMetrics(reference.store, reference.id).map((m) => [`${m.cohort}\u0000${m.metric}`, m.value]))
  for (const m of cohortMetrics(store, run.baseEvaluationId)) {
    const b = a.get(`${m.cohort}\u0000${m.metric}`)
    const scale = Math.max(Math.abs(m.value), Math.abs(b ?? 0), 1e-12)
    if (b === undefined || Math.abs(m.value - b) / scale > BASE_TOLERANCE) {
      throw new InputError(`${file}: sweep "${run.name}": its base evaluation gives ${m.metric} ${m.value} on ${m.cohort} but ${reference.file} gives ${b ?? 'nothing'} (more than ${BASE_TOLERANCE} relative apart): the shards did not score the same base model alike. Nothing was merged.`)
    }
  }
}

function candidateCount(store: Store, run: SourceRun): number {
  return getRun(store, run.id)?.candidates ?? 0
}

function artifactDirsOf(store: Store, run: SourceRun): string[] {
  return runArtifactDirs(store, run.id)
}

function shardCount(shard: string | null): number | null {
  return shard === null ? null : Number(shard.split('/')[1])
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_')
}
