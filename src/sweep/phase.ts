import {availableParallelism} from 'node:os'
import {dirname} from 'node:path'

import type {LoraSpec} from '../model/lora.js'
import {readModelConfig} from '../model/model-files.js'
import {latestEvaluationByLabel} from '../store/evaluations.js'
import {measuredAtRung} from '../store/rungs.js'
import {type CandidateRow, getRun, runCandidates} from '../store/runs-read.js'
import {arrangeWorkers} from './arrange-workers.js'
import type {CandidateJobRecipe, SweepJob} from './messages.js'
import {type JobOutcome, WorkerPool} from './pool.js'
import {DONE, type RunContext} from './run-context.js'
import {workersThatFit} from './worker-memory.js'

/** Runs what is left to reach `rung` (null: the end, then evaluation) in worker processes. */
export async function runPhase(ctx: RunContext, pool: WorkerPool, rung: number | null): Promise<Map<string, JobOutcome>> {
  const {db, runId, name, plan, request} = ctx
  const measured = new Set<number>(
    rung === null ? [] : measuredAtRung(db, runId, rung),
  )
  const all = runCandidates(db, runId)
  // Interpolated candidates are made by their trained parent's job; a parent evaluated before a
  // kill still owes the interpolations not yet evaluated.
  const owes = (c: CandidateRow) => all.some((d) => d.parentId === c.id && !DONE.includes(d.status))
  const todo = all.filter((c) => c.parentId === null && (!DONE.includes(c.status) || (rung === null && c.status === 'completed' && owes(c))) && !measured.has(c.id) && (rung === null || c.stepsDone < rung))
  const evaluations: Array<Extract<SweepJob, {kind: 'evaluate'}>> = []
  const common = {runId, dbPath: request.dbPath, plan, backend: request.backend.name}
  if (getRun(db, runId)!.baseEvaluationId === null) evaluations.push({...common, threads: 1, kind: 'evaluate', key: 'base', label: `${name}/base`, modelDir: plan.baseModel, role: 'base'})
  const {baseline} = ctx
  if (baseline.kind === 'reevaluate' && !latestEvaluationByLabel(db, baseline.label)) {
    evaluations.push({...common, threads: 1, kind: 'evaluate', key: 'baseline', label: baseline.label, modelDir: baseline.modelDir, role: 'baseline'})
  }
  const fit = plan.parallel === 'auto' ? workersThatFit(readModelConfig(plan.baseModel), plan.batchSize) : undefined
  const {workers, threads} = arrangeWorkers(plan.parallel, evaluations.length + todo.length, availableParallelism(), fit)
  const jobs: SweepJob[] = [
    ...evaluations.map((e) => ({...e, threads})),
    ...todo.map((c) => ({...common, threads, kind: 'candidate' as const, key: c.label, label: `${name}/${c.label}`, candidateId: c.id, lr: c.lr, runDir: dirname(c.artifactDir!), stopAt: rung, recipe: jobRecipe(c, all, name)})),
  ]
  return pool.run(jobs, workers)
}

/** What a trained candidate's job needs of the grid: its seed, LoRA, replay, and its interpolations. */
function jobRecipe(c: CandidateRow, all: readonly CandidateRow[], name: string): CandidateJobRecipe {
  const owed = all.filter((d) => d.parentId === c.id && !DONE.includes(d.status))
  // An alongside `+ema` candidate is the one derived candidate that holds an average and is not interpolated.
  const isEma = (d: CandidateRow) => d.emaDecay !== null && (d.interpolate ?? 1) === 1
  const ema = owed.find(isEma)
  return {
    seed: c.seed,
    lora: c.lora === null ? null : (JSON.parse(c.lora) as LoraSpec),
    adapterDir: c.adapterDir,
    replay: c.replay ?? 0,
    evaluated: c.status === 'completed',
    interpolations: owed
      .filter((d) => !isEma(d))
      .map((d) => ({candidateId: d.id, key: d.label, label: `${name}/${d.label}`, interpolate: d.interpolate!, modelDir: d.artifactDir!})),
    ema: ema ? {candidateId: ema.id, key: ema.label, label: `${name}/${ema.label}`, modelDir: ema.artifactDir!, adapterDir: ema.adapterDir} : null,
  }
}
