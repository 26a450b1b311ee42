import {randomBytes} from 'node:crypto'
import {dirname, join} from 'node:path'

import type {CohortRole, Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import {onShutdown, type StopSignal} from '../process/shutdown.js'
import {inert} from '../util/inert.js'
import {hint} from '../util/invocation.js'
import {type Store, openStore, setBusyTimeout, writeTransaction} from '../store/db.js'
import {markCandidateFailed, settleDerived} from '../store/candidates.js'
import {countRunEvaluations, latestEvaluationByLabel} from '../store/evaluations.js'
import {acquireRunLock, type RunLock} from '../store/run-lock.js'
import {getRun, runCandidates} from '../store/runs-read.js'
import {setRecommended, setRunStatus} from '../store/runs.js'
import {sweepBaseline} from './baseline.js'
import {decideRungFromStore, earlyStoppingOn, rungSteps} from './rung-decision.js'
import type {SweepPlan} from './plan.js'
import {type JobOutcome, WorkerPool} from './pool.js'
import {runPhase} from './phase.js'
import {DONE, type RunContext, type SweepRequest} from './run-context.js'
import {checkResume, createRun, markResumed, prepareSweep, storedPlan, withModelFolderBase} from './setup.js'
import {RUN_LOCK_ENV, stopStrayWorkers} from './stray-workers.js'
import {storeSeedMean} from './seed-configurations.js'
import {bestPassing, bestWithoutRemedy, type CandidateSummary, gateCandidates, recommend} from './verdicts.js'
import {DEFAULT_OBJECTIVE, type Objective} from './objective.js'
import {onWorkerMessage} from './worker-progress.js'

export type {SweepRequest} from './run-context.js'

export interface SweepOutcome {
  runId: number
  name: string
  status: 'completed' | 'interrupted'
  /** the signal that interrupted the sweep (SIGINT: exit 130, SIGTERM: exit 143), if one did */
  signal: StopSignal | null
  baseEvaluationId: number | null
  /** what the candidates were gated against; `named`: how every view names it ("the promoted model (week-1/lr-1e-4)") */
  baseline: {evaluationId: number; label: string; note: string | null; named?: string} | null
  candidates: CandidateSummary[]
  recommended: CandidateSummary | null
  /**
   * Without a recommendation: the model to keep — "the base model", "the promoted model" or the
   * baseline's label — and why: no candidate passes the gate, or none that passes improves on it by
   * sweep.objective (`best`: the passing candidate with the best objective estimate).
   */
  keep?: {model: string; reason: 'gate' | 'objective'; best: CandidateSummary | null} | null
  /** sweep.objective as applied (metric, cohorts) */
  objective?: Objective
  /** the best passing candidate without a remedy (full fine-tune, no replay, not interpolated) */
  withoutRemedy?: CandidateSummary | null
  /** optimizer steps trained, and what running every candidate to the end would have taken */
  compute: {stepsTrained: number; stepsPlanned: number; evaluations: number}
  seconds: number
}

/**
 * Where a new run keeps its candidates' artifacts, beside the database:
 * <db dir>/runs/<run>-<token>/<candidate>/{model,checkpoint}. The token keeps a run from ever taking
 * over another's folder: a database deleted and made again reuses run ids, and two databases can
 * share a folder. Later phases and --resume read the folder back from candidates.artifact_dir.
 */
export function newRunDirs(dbPath: string): (runId: number, label: string) => string {
  const token = randomBytes(4).toString('hex')
  return (runId, label) => join(dirname(dbPath), 'runs', `${runId}-${token}`, label)
}

/** The line that tells how to continue an interrupted sweep. */
export function resumeHint(name: string, runId: number): string {
  return `Sweep ${inert(name)} (run ${runId}) stopped before it finished; continue it with: ${hint(`sweep --resume ${runId}`)}`
}

/** The sweep, start (or --resume) to recommendation. See README "lrgate sweep". */
export async function runSweep(request: SweepRequest): Promise<SweepOutcome> {
  const started = performance.now()
  const ctx = await openRun(request)
  // Released on every way out, errors included (release is idempotent; the paths below release it
  // as soon as the run is settled).
  try {
    return await runOpened(ctx, request, started)
  } finally {
    ctx.lock.release()
  }
}

async function runOpened(ctx: RunContext, request: SweepRequest, started: number): Promise<SweepOutcome> {
  const {db, runId, name} = ctx
  const pool = new WorkerPool((m) => onWorkerMessage(m, request.progress), {[RUN_LOCK_ENV]: ctx.lock.file})
  // SIGINT and SIGTERM alike: workers checkpoint and exit, the run is marked interrupted, the
  // resume command is printed, exit 130 / 143 — all inside the 10 s CI gives (src/process/shutdown.ts).
  let interrupted = false
  const shutdown = onShutdown({
    begin: (signal) => {
      interrupted = true
      request.progress.log(`${signal}: stopping: each running candidate checkpoints and exits (press Ctrl-C again to force) …`)
      pool.stop(Math.max(0, shutdown.remainingMs() - 2000))
    },
    force: () => {
      request.progress.stop()
      setBusyTimeout(db, 2000)
      setRunStatus(db, runId, 'interrupted')
      process.stderr.write(resumeHint(name, runId) + '\n')
    },
  })
  try {
    // With early stopping, candidates advance rung by rung (each a barrier); then to the end.
    const rungs = earlyStoppingOn(ctx.plan) ? rungSteps(ctx.plan.steps, ctx.plan.earlyStopping.minSteps, ctx.plan.earlyStopping.eta) : []
    for (const rung of [...rungs, null]) {
      if (interrupted) break
      const outcomes = await runPhase(ctx, pool, rung)
      recordFailures(ctx, outcomes)
      settleDerived(ctx.db, runId)
      if (rung !== null && !interrupted) decideRungFromStore(ctx.db, runId, rung, ctx.plan, ctx.evalSet, request.progress)
      settleDerived(ctx.db, runId)
    }
  } catch (error) {
    // Whatever stopped the sweep (a full disk, a failed input), --resume continues from the checkpoints.
    if (!(error instanceof InputError)) markInterrupted(db, runId)
    ctx.lock.release()
    throw error
  } finally {
    shutdown.dispose()
    request.progress.stop()
  }
  const seconds = (performance.now() - started) / 1000
  const run = getRun(db, runId)!
  const compute = computeUsed(ctx)
  if (interrupted || runCandidates(db, runId).some((c) => !DONE.includes(c.status)) || run.baseEvaluationId === null) {
    setRunStatus(db, runId, 'interrupted')
    db.close()
    ctx.lock.release()
    return {runId, name, status: 'interrupted', signal: shutdown.signal, baseEvaluationId: run.baseEvaluationId, baseline: null, candidates: [], recommended: null, compute, seconds}
  }
  const stored = baselineEvaluation(ctx, run.baseEvaluationId)
  const kept = keptModel(ctx)
  const baseline = {...stored, named: kept.startsWith('the baseline') ? stored.label : `${kept} (${stored.label})`}
  const roles = new Map<string, CohortRole>(Object.entries(ctx.evalSet.manifest.cohorts).map(([k, v]) => [k, v.role]))
  const {gate} = ctx.plan
  const settings = {rules: gate.rules, confidence: gate.confidence, resamples: gate.resamples, seed: ctx.plan.seed, objective: ctx.plan.objective}
  const seedMean = (ctx.plan.seeds ?? 1) > 1 ? (ids: readonly number[]) => storeSeedMean(db, ids, {dataset: ctx.evalSet, runId, ...settings}) : undefined
  const candidates = writeTransaction(db, () => gateCandidates(db, runId, baseline.evaluationId, settings, roles, seedMean))
  const recommended = recommend(candidates)
  const withoutRemedy = bestWithoutRemedy(candidates)
  const best = bestPassing(candidates)
  const keep = recommended !== null ? null : {model: keptModel(ctx), reason: best === null ? ('gate' as const) : ('objective' as const), best}
  setRecommended(db, runId, recommended?.id ?? null)
  setRunStatus(db, runId, 'completed')
  db.close()
  ctx.lock.release()
  return {
    runId, name, status: 'completed', signal: null, baseEvaluationId: run.baseEvaluationId, baseline, candidates, recommended, keep,
    objective: ctx.plan.objective ?? DEFAULT_OBJECTIVE, withoutRemedy, compute, seconds,
  }
}

/** How the recommendation line names what the sweep's candidates would replace. */
function keptModel(ctx: RunContext): string {
  if (ctx.baseline.kind === 'base') return 'the base model'
  return ctx.plan.gate.baseline === 'promoted' ? 'the promoted model' : `the baseline (${ctx.baseline.label})`
}

/** Validates every input, then creates the run (or reopens it for --resume). */
async function openRun(request: SweepRequest): Promise<RunContext> {
  // A failure after the run's lock is taken (no such run, a bad stored plan, a baseline that cannot
  // be found) releases it, so no owner file is left naming a process that is gone.
  const held: {lock?: RunLock} = {}
  try {
    return await openLockedRun(request, held)
  } catch (error) {
    held.lock?.release()
    throw error
  }
}

async function openLockedRun(request: SweepRequest, held: {lock?: RunLock}): Promise<RunContext> {
  let db: Store
  let runId: number
  let plan: SweepPlan & {steps: number}
  let evalSet: Dataset
  let lock: RunLock
  if (request.resume !== undefined) {
    // The owner first: a second --resume of a live run stops here, before any slow work.
    lock = held.lock = request.lock ?? acquireRunLock(request.dbPath, request.resume)
    // Taken over from a dead owner: its workers die within 2 s, but none may write a checkpoint now.
    if (lock.previous) await stopStrayWorkers(lock.file)
    db = openStore(request.dbPath)
    const stored = storedPlan(db, request.resume)
    const prepared = await prepareSweep(stored)
    checkResume(db, request.resume, prepared)
    plan = {...stored, steps: prepared.steps}
    evalSet = prepared.evalSet
    runId = request.resume
    markResumed(db, runId, request.backend)
  } else {
    const prepared = await prepareSweep(withModelFolderBase(request.plan!, request.dbPath))
    plan = {...prepared.plan, steps: prepared.steps}
    evalSet = prepared.evalSet
    db = openStore(request.dbPath)
    runId = createRun(db, prepared, request.backend, newRunDirs(request.dbPath))
    lock = held.lock = acquireRunLock(request.dbPath, runId)
  }
  const name = getRun(db, runId)!.name ?? `sweep-${runId}`
  const baseline = sweepBaseline(db, plan.gate.baseline, evalSet)
  if (baseline.kind === 'base' && baseline.note) request.progress.log(`gate.baseline: ${baseline.note}`)
  if (baseline.kind === 'reevaluate') request.progress.log(`re-evaluating ${baseline.from} on ${evalSet.ref}`)
  return {db, runId, name, plan, evalSet, baseline, request, lock}
}

/** Marks the run resumable after a failure; a store that refuses even this is left as it is. */
function markInterrupted(db: Store, runId: number): void {
  try {
    setRunStatus(db, runId, 'interrupted')
  } catch {
    // the store itself failed (full disk, read-only): the run stays `running`, which --resume also continues
  }
}

function recordFailures(ctx: RunContext, outcomes: Map<string, JobOutcome>): void {
  // A full disk or read-only folder is no candidate's fault: they stay pending, --resume continues.
  const storage = [...outcomes.values()].find((o) => o.storage)
  if (storage) {
    markInterrupted(ctx.db, ctx.runId)
    throw new InputError(`${storage.message.replace(/\.$/, '')}; the run is kept: continue it with ${hint(`sweep --resume ${ctx.runId}`)}.`)
  }
  const inputFailure = [...outcomes.values()].find((o) => o.input)
  if (inputFailure) {
    setRunStatus(ctx.db, ctx.runId, 'failed')
    throw new InputError(inputFailure.message)
  }
  for (const [key, outcome] of outcomes) {
    if (outcome.status === 'failed') markCandidateFailed(ctx.db, ctx.runId, key, outcome.message)
  }
}

function baselineEvaluation(ctx: RunContext, baseEvaluationId: number): NonNullable<SweepOutcome['baseline']> {
  const {baseline} = ctx
  if (baseline.kind === 'base') return {evaluationId: baseEvaluationId, label: `${ctx.name}/base`, note: baseline.note}
  if (baseline.kind === 'evaluation') return {evaluationId: baseline.id, label: baseline.label, note: null}
  return {evaluationId: latestEvaluationByLabel(ctx.db, baseline.label)!.id, label: baseline.label, note: `re-evaluated ${baseline.from} on ${ctx.evalSet.ref}`}
}

function computeUsed(ctx: RunContext): SweepOutcome['compute'] {
  const candidates = runCandidates(ctx.db, ctx.runId)
  return {
    stepsTrained: candidates.reduce((n, c) => n + c.stepsDone, 0),
    stepsPlanned: candidates.reduce((n, c) => n + c.stepsTotal, 0),
    evaluations: countRunEvaluations(ctx.db, ctx.runId),
  }
}
