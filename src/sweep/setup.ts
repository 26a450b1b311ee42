import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {loadDataset} from '../datasets/load.js'
import type {Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import {loadEvaluators} from '../eval/load-evaluators.js'
import {gptConfigSchema} from '../model/config.js'
import {CharTokenizer, tokenizerSchema} from '../model/tokenizer.js'
import {insertCandidates, reopenFailedCandidates} from '../store/candidates.js'
import {recordDatasetUse} from '../store/datasets.js'
import {type Db, writeTransaction} from '../store/db.js'
import {runCandidates} from '../store/runs-read.js'
import {insertRun, runConfig, setRunBackend, setRunStatus} from '../store/runs.js'
import {buildTokenStream, stepsForEpochs} from '../train/token-stream.js'
import {candidateLabel, type SweepPlan} from './plan.js'
import {splitTraining} from './training-data.js'
import {hint} from '../util/invocation.js'

export interface PreparedSweep {
  plan: SweepPlan
  trainSet: Dataset
  evalSet: Dataset
  steps: number
}

/**
 * Everything that can be wrong with the inputs is found here, before the database is touched:
 * datasets (every line), the base model's config and tokenizer, the evaluators, the length.
 */
export async function prepareSweep(plan: SweepPlan): Promise<PreparedSweep> {
  const [trainSet, evalSet] = await Promise.all([loadDataset(plan.train, {cwd: plan.cwd}), loadDataset(plan.eval, {cwd: plan.cwd})])
  await loadEvaluators({specs: plan.evaluation.evaluators, configFile: plan.configFile, cwd: plan.cwd})
  const split = splitTraining(trainSet, plan.seed)
  if (split.train.length === 0) throw new InputError(`${trainSet.ref}: no training records (every cohort is valid:*).`)
  // An external trainer whose models are evaluated by eval.outputsCommand may start from any model folder.
  const anyBase = plan.trainer && plan.evaluation.outputsCommand !== undefined && plan.steps !== null
  if (anyBase) {
    if (!existsSync(plan.baseModel)) throw new InputError(`${plan.baseModel}: base model folder not found.`)
    return {plan, trainSet, evalSet, steps: plan.steps!}
  }
  const {contextLength, tokenizer} = readBaseModel(plan.baseModel)
  const steps = plan.steps ?? stepsForEpochs(buildTokenStream(split.train, tokenizer), plan.epochs!, plan.batchSize, contextLength)
  return {plan, trainSet, evalSet, steps}
}

function readBaseModel(dir: string): {contextLength: number; tokenizer: CharTokenizer} {
  const read = (file: string): unknown => {
    try {
      return JSON.parse(readFileSync(join(dir, file), 'utf8'))
    } catch {
      throw new InputError(`${dir}: not an lrgate model directory (${file} missing or unreadable); give --base a model directory (or "example").`)
    }
  }
  const config = gptConfigSchema.safeParse(read('config.json'))
  const tokenizer = tokenizerSchema.safeParse(read('tokenizer.json'))
  if (!config.success || !tokenizer.success) throw new InputError(`${dir}: config.json or tokenizer.json is not an lrgate model's; give --base a model directory.`)
  return {contextLength: config.data.contextLength, tokenizer: CharTokenizer.fromJSON(tokenizer.data)}
}

/** Creates the run and its candidates (one transaction); returns the run id. */
export function createRun(db: Db, prepared: PreparedSweep, backend: {name: string; reason: string}, runsDir: (runId: number, label: string) => string): number {
  const {plan, steps} = prepared
  return writeTransaction(db, () => {
    const runId = insertRun(db, {
      kind: 'sweep', name: plan.name, seed: plan.seed, config: {...plan, steps}, backend: backend.name, backendReason: backend.reason,
      baseModel: plan.baseModel, trainDatasetId: recordDatasetUse(db, prepared.trainSet), evalDatasetId: recordDatasetUse(db, prepared.evalSet),
    })
    const name = plan.name ?? `sweep-${runId}`
    db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(name, runId)
    insertCandidates(db, runId, plan.lrs.map((lr) => {
      const label = candidateLabel(lr)
      return {label, lr, schedule: {...plan.schedule, lr, steps}, seed: plan.seed, stepsTotal: steps, artifactDir: join(runsDir(runId, label), 'model')}
    }))
    return runId
  })
}

/** The plan of a stored run, for --resume (refusing runs that are not resumable sweeps). Reads only. */
export function storedPlan(db: Db, runId: number): SweepPlan {
  const stored = runConfig(db, runId)
  if (!stored) throw new InputError(`--resume ${runId}: there is no run #${runId}; see "${hint('runs list')}".`)
  if (stored.kind !== 'sweep') throw new InputError(`--resume ${runId}: run #${runId} is a ${stored.kind} run, not a sweep.`)
  const rerun = runCandidates(db, runId).some((c) => c.status === 'failed')
  if (stored.status === 'completed' && !rerun) throw new InputError(`--resume ${runId}: run #${runId} already completed; see "${hint(`runs show ${runId}`)}".`)
  if (runCandidates(db, runId).length === 0) throw new InputError(`--resume ${runId}: run #${runId} has no candidates.`)
  return stored.config as SweepPlan
}

/** The run is running again: failed candidates are reopened to be rerun. */
export function markResumed(db: Db, runId: number, backend: {name: string; reason: string}): void {
  writeTransaction(db, () => {
    setRunStatus(db, runId, 'running')
    setRunBackend(db, runId, backend.name, backend.reason)
    reopenFailedCandidates(db, runId)
  })
}
