import {availableParallelism} from 'node:os'
import {dirname, join} from 'node:path'

import type {CohortRole, Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import type {Progress} from '../report/progress.js'
import {type Db, openDb} from '../store/db.js'
import {latestEvaluationByLabel} from '../store/evaluations.js'
import {getRun, runCandidates} from '../store/runs-read.js'
import {setRecommended, setRunStatus} from '../store/runs.js'
import {sweepBaseline} from './baseline.js'
import type {SweepJob, WorkerMessage} from './messages.js'
import type {SweepPlan} from './plan.js'
import {WorkerPool} from './pool.js'
import {createRun, markResumed, prepareSweep, storedPlan} from './setup.js'
import {type CandidateSummary, gateCandidates, recommend} from './verdicts.js'

export interface SweepRequest {
  plan?: SweepPlan
  resume?: number
  dbPath: string
  progress: Progress
  /** the backend as the parent process sees it (stored with the run, printed once) */
  backend: {name: string; reason: string}
}

export interface SweepOutcome {
  runId: number
  name: string
  status: 'completed' | 'interrupted'
  baseEvaluationId: number | null
  baseline: {evaluationId: number; label: string; note: string | null} | null
  candidates: CandidateSummary[]
  recommended: CandidateSummary | null
  workers: number
  threadsPerWorker: number
  seconds: number
}

/**
 * Two candidates at once with one thread each beat one candidate with two threads on small models
 * (see bench/: no synchronisation inside a step); `parallel: auto` picks that whenever it can.
 */
export function arrangeWorkers(parallel: number | 'auto', jobs: number, cores = availableParallelism()): {workers: number; threads: number} {
  const workers = Math.max(1, Math.min(parallel === 'auto' ? cores : parallel, jobs))
  return {workers, threads: Math.max(1, Math.floor(cores / workers))}
}

/** The sweep, start (or --resume) to recommendation. See README "lrgate sweep". */
export async function runSweep(request: SweepRequest): Promise<SweepOutcome> {
  const started = performance.now()
  let db: Db | null = null
  let runId: number
  let plan: SweepPlan
  let evalSet: Dataset
  if (request.resume !== undefined) {
    db = openDb(request.dbPath)
    plan = storedPlan(db, request.resume)
    evalSet = (await prepareSweep(plan)).evalSet
    runId = request.resume
    markResumed(db, runId, request.backend)
  } else {
    const prepared = await prepareSweep(request.plan!)
    plan = prepared.plan
    evalSet = prepared.evalSet
    db = openDb(request.dbPath)
    runId = createRun(db, prepared, request.backend, (id, label) => runDir(request.dbPath, id, label))
  }
  const run = getRun(db, runId)!
  const name = run.name ?? `sweep-${runId}`
  const roles = new Map<string, CohortRole>(Object.entries(evalSet.manifest.cohorts).map(([k, v]) => [k, v.role]))
  const baseline = sweepBaseline(db, plan.gate.baseline, evalSet)
  if (baseline.kind === 'base' && baseline.note) request.progress.log(`gate.baseline: ${baseline.note}`)

  const todo = runCandidates(db, runId).filter((c) => !['completed', 'diverged', 'pruned'].includes(c.status))
  const jobsCount = todo.length + (run.baseEvaluationId === null ? 1 : 0) + (baseline.kind === 'reevaluate' ? 1 : 0)
  const {workers, threads} = arrangeWorkers(plan.parallel, jobsCount)
  const common = {runId, dbPath: request.dbPath, plan, threads}
  const jobs: SweepJob[] = []
  if (run.baseEvaluationId === null) jobs.push({...common, kind: 'evaluate', key: 'base', label: `${name}/base`, modelDir: plan.baseModel, role: 'base'})
  if (baseline.kind === 'reevaluate') {
    request.progress.log(`re-evaluating ${baseline.from} on ${evalSet.ref}`)
    jobs.push({...common, kind: 'evaluate', key: 'baseline', label: baseline.label, modelDir: baseline.modelDir, role: 'baseline'})
  }
  for (const c of todo) jobs.push({...common, kind: 'candidate', key: c.label, label: `${name}/${c.label}`, candidateId: c.id, lr: c.lr, runDir: runDir(request.dbPath, runId, c.label)})

  const pool = new WorkerPool(workers, (m) => onWorkerMessage(m, request.progress))
  let interrupted = false
  const onSigint = () => {
    if (!interrupted) request.progress.log('stopping: each running candidate checkpoints and exits (press Ctrl-C again to force) …')
    else process.exit(130)
    interrupted = true
    pool.stop()
  }
  process.on('SIGINT', onSigint)
  let outcomes
  try {
    outcomes = await pool.run(jobs)
  } finally {
    process.off('SIGINT', onSigint)
    request.progress.stop()
  }
  const inputFailure = [...outcomes.values()].find((o) => o.input)
  if (inputFailure) {
    setRunStatus(db, runId, 'failed')
    throw new InputError(inputFailure.message)
  }
  const candidatesLeft = runCandidates(db, runId).some((c) => !['completed', 'diverged', 'pruned', 'failed'].includes(c.status))
  for (const [key, outcome] of outcomes) {
    if (outcome.status === 'failed' && !outcome.input) {
      db.prepare("UPDATE candidates SET status = 'failed', status_reason = ? WHERE run_id = ? AND label = ?").run(outcome.message, runId, key)
    }
  }
  const seconds = (performance.now() - started) / 1000
  const baseEvaluationId = getRun(db, runId)!.baseEvaluationId
  if (interrupted || candidatesLeft || baseEvaluationId === null) {
    setRunStatus(db, runId, 'interrupted')
    db.close()
    return {runId, name, status: 'interrupted', baseEvaluationId, baseline: null, candidates: [], recommended: null, workers, threadsPerWorker: threads, seconds}
  }

  const baselineEval =
    baseline.kind === 'base'
      ? {evaluationId: baseEvaluationId, label: `${name}/base`, note: baseline.note}
      : baseline.kind === 'evaluation'
        ? {evaluationId: baseline.id, label: baseline.label, note: null}
        : {evaluationId: latestEvaluationByLabel(db, baseline.label)!.id, label: baseline.label, note: `re-evaluated ${baseline.from} on ${evalSet.ref}`}
  const candidates = db.transaction(() =>
    gateCandidates(db, runId, baselineEval.evaluationId, {rules: plan.gate.rules, confidence: plan.gate.confidence, resamples: plan.gate.resamples, seed: plan.seed}, roles),
  )()
  const recommended = recommend(candidates)
  setRecommended(db, runId, recommended?.id ?? null)
  setRunStatus(db, runId, 'completed')
  db.close()
  return {runId, name, status: 'completed', baseEvaluationId, baseline: baselineEval, candidates, recommended, workers, threadsPerWorker: threads, seconds}
}

/** Artifacts of a run live beside the database: <db dir>/runs/<run>/<candidate>/{model,checkpoint}. */
export function runDir(dbPath: string, runId: number, label: string): string {
  return join(dirname(dbPath), 'runs', String(runId), label)
}

const started = new Set<string>()

function onWorkerMessage(m: WorkerMessage, progress: Progress): void {
  switch (m.type) {
    case 'start':
      if (!started.has(m.key)) progress.start(m.key, m.label.split('/').pop()!, m.total)
      started.add(m.key)
      break
    case 'progress':
      progress.update(m.key, m.value, m.fields)
      break
    case 'log':
      progress.log(m.line)
      break
    case 'done':
      progress.finish(m.key, m.status === 'completed' ? 'done' : `${m.status}: ${m.message}`)
      break
    case 'failed':
      progress.finish(m.key, `failed: ${m.message}`)
      break
    case 'backend':
      break
  }
}
