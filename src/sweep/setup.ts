import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {z} from 'zod'

import {loadDataset} from '../datasets/load.js'
import type {Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import {stripBom} from '../util/json-input.js'
import {loadEvaluators} from '../eval/load-evaluators.js'
import {isAdapterDir} from '../model/adapter-files.js'
import {gptConfigSchema} from '../model/config.js'
import {mergedModelDir} from '../model/merged-base.js'
import {CharTokenizer, tokenizerSchema} from '../model/tokenizer.js'
import {insertCandidates, reopenFailedCandidates} from '../store/candidates.js'
import {getStoredDataset, recordDatasetUse} from '../store/datasets.js'
import {type Store, writeTransaction} from '../store/db.js'
import {runCandidates} from '../store/runs-read.js'
import {insertRun, runConfig, runExtras, setRunIdentity, setRunName, setRunBackend, setRunStatus} from '../store/runs.js'
import {buildTokenStream, stepsForEpochs} from '../train/token-stream.js'
import {planGridOf, scheduleKeyNamer, type SweepPlan} from './plan.js'
import {expandGrid} from './grid.js'
import {validateSchedule} from '../schedule/index.js'
import {planHash, shardCandidates} from './shard.js'
import {splitTraining} from './training-data.js'
import {planValues} from './plan-schedules.js'
import {evaluationRoute} from './trainer-plan.js'
import {hint} from '../util/invocation.js'

export interface PreparedSweep {
  plan: SweepPlan
  trainSet: Dataset
  evalSet: Dataset
  /** general text for replay, loaded (and checked) only when a replay share is above 0 */
  replaySet: Dataset | null
  steps: number
}

/**
 * Everything that can be wrong with the inputs is found here, before the database is touched:
 * datasets (every line), the base model's config and tokenizer, the evaluators, the length.
 */
export async function prepareSweep(plan: SweepPlan): Promise<PreparedSweep> {
  const needsReplay = planGridOf(plan).replay.some((r) => r > 0)
  const [trainSet, evalSet, replaySet] = await Promise.all([
    loadDataset(plan.train, {cwd: plan.cwd}),
    loadDataset(plan.eval, {cwd: plan.cwd}),
    needsReplay ? loadDataset(plan.replayData!, {cwd: plan.cwd}) : Promise.resolve(null),
  ])
  await loadEvaluators({specs: plan.evaluation.evaluators, configFile: plan.configFile, cwd: plan.cwd})
  const split = splitTraining(trainSet, plan.seed)
  if (split.train.length === 0) throw new InputError(`${trainSet.ref}: no training records (every cohort is valid:*).`)
  // An external trainer whose models are evaluated by eval.outputsCommand or eval.serveCommand may
  // start from any model folder (a Hugging Face one for vLLM, say), not only an lrgate one.
  const anyBase = plan.trainer && evaluationRoute(plan.evaluation).kind !== 'model' && plan.steps !== null
  if (anyBase) {
    if (!existsSync(plan.baseModel)) throw new InputError(`${plan.baseModel}: base model folder not found.`)
    for (const lr of plan.lrs) validateSchedule({...plan.schedule}, {lr, steps: plan.steps!}, {name: scheduleKeyNamer(plan.scheduleNames)})
    return {plan, trainSet, evalSet, replaySet, steps: plan.steps!}
  }
  const {contextLength, tokenizer} = readBaseModel(plan.baseModel)
  const steps = plan.steps ?? stepsForEpochs(buildTokenStream(split.train, tokenizer), plan.epochs!, plan.batchSize, contextLength)
  // The one schedule check, against the real length (epochs become steps only now).
  for (const lr of plan.lrs) validateSchedule({...plan.schedule}, {lr, steps}, {name: scheduleKeyNamer(plan.scheduleNames)})
  planValues(plan, steps) // sweep.schedules against the same length
  expandGrid(planGridOf(plan)) // refuses a grid whose labels collide, before anything is stored
  return {plan, trainSet, evalSet, replaySet, steps}
}

function readBaseModel(dir: string): {contextLength: number; tokenizer: CharTokenizer} {
  const read = (file: string): unknown => {
    try {
      return JSON.parse(stripBom(readFileSync(join(dir, file), 'utf8')))
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
export function createRun(db: Store, prepared: PreparedSweep, backend: {name: string; reason: string}, runsDir: (runId: number, label: string) => string): number {
  const {plan, steps} = prepared
  return writeTransaction(db, () => {
    const runId = insertRun(db, {
      kind: 'sweep', name: plan.name, seed: plan.seed, config: {...plan, steps}, backend: backend.name, backendReason: backend.reason,
      baseModel: plan.baseModel, trainDatasetId: recordDatasetUse(db, prepared.trainSet), evalDatasetId: recordDatasetUse(db, prepared.evalSet),
    })
    const name = plan.name ?? `sweep-${runId}`
    setRunName(db, runId, name)
    setRunIdentity(db, runId, {
      uid: randomBytes(8).toString('hex'),
      planHash: planHash({...plan, steps}, {train: prepared.trainSet, eval: prepared.evalSet, replay: prepared.replaySet}),
      shard: plan.shard ? `${plan.shard.index}/${plan.shard.count}` : null,
    })
    if (prepared.replaySet) recordDatasetUse(db, prepared.replaySet)
    insertCandidates(db, runId, shardCandidates(expandGrid(planGridOf(plan)), plan.shard).map((c) => {
      const folder = runsDir(runId, c.label.replaceAll(' ', '_'))
      const trained = c.parentIndex === null
      // LoRA: a trained candidate and an alongside `+ema` one each keep their own adapter
      const ownAdapter = c.method.type === 'lora' && (trained || (c.ema === true && c.interpolate === 1))
      return {
        label: c.label, lr: c.lr, schedule: {...plan.schedule, lr: c.lr, steps}, seed: plan.seed + c.seedIndex, stepsTotal: trained ? steps : 0, artifactDir: join(folder, 'model'),
        recipe: {
          method: c.method.type,
          lora: c.method.type === 'lora' ? {rank: c.method.rank, alpha: c.method.alpha, targets: c.method.targets, dropout: c.method.dropout} : null,
          replay: c.replay, interpolate: c.interpolate, parentIndex: c.parentIndex,
          adapterDir: ownAdapter ? join(folder, 'adapter') : null, emaDecay: c.ema ? plan.ema!.decay : null,
        },
      }
    }))
    return runId
  })
}

/** The plan of a stored run, for --resume (refusing runs that are not resumable sweeps). Reads only. */
export function storedPlan(db: Store, runId: number): SweepPlan {
  const stored = runConfig(db, runId)
  if (!stored) throw new InputError(`--resume ${runId}: there is no run #${runId}; see "${hint('runs list')}".`)
  if (stored.kind !== 'sweep') throw new InputError(`--resume ${runId}: run #${runId} is a ${stored.kind} run, not a sweep.`)
  const rerun = runCandidates(db, runId).some((c) => c.status === 'failed')
  if (stored.status === 'completed' && !rerun) throw new InputError(`--resume ${runId}: run #${runId} already completed; see "${hint(`runs show ${runId}`)}".`)
  if (runCandidates(db, runId).length === 0) throw new InputError(`--resume ${runId}: run #${runId} has no candidates.`)
  const parsed = storedPlanSchema.safeParse(stored.config)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InputError(`--resume ${runId}: the stored plan of run #${runId} is not one this lrgate can continue (${issue.path.join('.') || 'plan'}: ${issue.message}); start a new sweep.`)
  }
  return stored.config as SweepPlan
}

/** The fields of a stored plan --resume relies on (the rest is re-checked by prepareSweep). */
const storedPlanSchema = z.looseObject({
  lrs: z.array(z.number().positive()).min(1),
  steps: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  batchSize: z.number().int().positive(),
  baseModel: z.string(),
  train: z.string(),
  eval: z.string(),
  schedule: z.looseObject({type: z.string()}),
})

/**
 * --resume continues only what the run started: the same datasets (content hashes) and the same
 * length as its candidates were created with. Anything else is an InputError before anything runs.
 */
export function checkResume(db: Store, runId: number, prepared: PreparedSweep): void {
  const extras = runExtras(db, runId)
  const sets = [
    ['fine-tune', extras?.trainDatasetId ?? null, prepared.trainSet],
    ['eval', extras?.evalDatasetId ?? null, prepared.evalSet],
  ] as const
  for (const [role, id, now] of sets) {
    const was = id === null ? undefined : getStoredDataset(db, id)
    if (was !== undefined && was.hash !== now.hash) {
      throw new InputError(
        `--resume ${runId}: the ${role} dataset ${now.ref} changed since run #${runId} started (hash ${was.hash.slice(0, 12)} then, ${now.hash.slice(0, 12)} now); restore it or start a new sweep.`,
      )
    }
  }
  const lengths = new Set(runCandidates(db, runId).filter((c) => c.parentId === null).map((c) => c.stepsTotal))
  if (lengths.size !== 1 || !lengths.has(prepared.steps)) {
    throw new InputError(`--resume ${runId}: run #${runId}'s candidates train ${[...lengths].join('/')} steps but its plan now gives ${prepared.steps}; start a new sweep.`)
  }
}

/** The run is running again: failed candidates are reopened to be rerun. */
export function markResumed(db: Store, runId: number, backend: {name: string; reason: string}): void {
  writeTransaction(db, () => {
    setRunStatus(db, runId, 'running')
    setRunBackend(db, runId, backend.name, backend.reason)
    reopenFailedCandidates(db, runId)
  })
}

/**
 * A LoRA adapter folder given as the base becomes its merged model folder (beside the database,
 * in bases/), since workers, interpolation, trainers and LoRA on top each read a model folder.
 */
export function withModelFolderBase(plan: SweepPlan, dbPath: string): SweepPlan {
  return isAdapterDir(plan.baseModel) ? {...plan, baseModel: mergedModelDir(plan.baseModel, join(dirname(dbPath), 'bases'))} : plan
}
