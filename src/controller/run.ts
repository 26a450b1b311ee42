import type {Config} from '../config/schema.js'
import {positiveNumber, seedFlag} from '../config/flag-numbers.js'
import {loadDataset} from '../datasets/load.js'
import type {Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import {resolveModelRef} from '../model/reference.js'
import {type ControllerFile, saveController} from '../schedule/learned/controller.js'
import {finishControllerRun, recordControllerEpisodes} from '../store/controller-runs.js'
import type {Store} from '../store/db.js'
import {recordDatasetUse} from '../store/datasets.js'
import {insertRun, setRunName, setRunStatus} from '../store/runs.js'
import {probeRecords} from '../sweep/probe.js'
import {splitTraining} from '../sweep/training-data.js'
import {EpisodePool} from './episode-pool.js'
import {type ControllerTrainingOptions, type ControllerTrainingResult, type SourceTask, trainController} from './train-controller.js'

/** `lrgate controller train`'s flags as oclif parses them (strings; checked here). */
export interface ControllerFlags {
  tasks: string
  probe?: string
  episodes?: string
  steps?: string
  'batch-size'?: string
  lr?: string
  'min-lr'?: string
  'max-lr'?: string
  'decision-every'?: string
  'forgetting-weight'?: string
  'episodes-per-update'?: string
  'model-features'?: boolean
  workers?: string
  seed?: string
  base?: string
  name?: string
  out: string
}

/** Where the run happens: the store it is recorded in and the backend the command picked. */
export interface ControllerRunContext {
  store: Store
  backend: {name: string; reason: string}
  onEpisode: ControllerTrainingOptions['onEpisode']
}

/**
 * Plans and runs controller training: the source tasks (`--tasks a@1,b@1`; a task with a `target:food`
 * cohort is refused: food is the example's held-out target), the probe (the eval dataset's `ood`
 * records), then trainController (a batch's episodes across `--workers` processes), then writes the
 * controller file with how it was made. Every check happens before the store is touched; the run is
 * stored as kind `controller` with each batch's episodes as they finish and the file at the end.
 */
export async function runControllerTraining(config: Config, flags: ControllerFlags, cwd: string, ctx: ControllerRunContext): Promise<ControllerTrainingResult & {seconds: number; runId: number}> {
  const refs = flags.tasks.split(',').map((t) => t.trim()).filter((t) => t !== '')
  if (refs.length === 0) throw new InputError('--tasks needs at least one dataset (name@version or folder), e.g. --tasks wordnet-animal@1.')
  const seed = flags.seed !== undefined ? seedFlag(flags.seed) : config.seed
  const tasks: SourceTask[] = []
  const taskSets: Dataset[] = []
  for (const ref of refs) {
    const set = await loadDataset(ref, {cwd})
    if (set.records.some((r) => r.cohort === 'target:food')) throw new InputError(`--tasks ${ref} holds target:food records: food is the example's held-out target; train the controller on other tasks.`)
    tasks.push({name: ref, ...splitTraining(set, seed)})
    taskSets.push(set)
  }
  const probeRef = flags.probe ?? config.datasets.eval
  const probeSet = await loadDataset(probeRef, {cwd})
  const probe = probeRecords(probeSet, 32, seed)
  if (probe.length === 0) throw new InputError(`--probe ${probeRef} has no ood cohort: the forgetting probe needs out-of-domain records.`)
  const num = (name: Exclude<keyof ControllerFlags, 'model-features'>, fallback: number, integer: boolean) => (flags[name] === undefined ? fallback : positiveNumber(name, flags[name]!, integer))
  const forgettingWeight = flags['forgetting-weight'] === undefined ? 0 : Number(flags['forgetting-weight'])
  if (!Number.isFinite(forgettingWeight) || forgettingWeight < 0) throw new InputError(`--forgetting-weight must be a number ≥ 0 (got "${flags['forgetting-weight']}").`)
  const initialLr = num('lr', 1e-3, false)
  const workers = num('workers', 1, true)
  const baseModel = resolveModelRef(flags.base ?? config.baseModel, cwd, '--base')
  const plan = {
    tasks: refs, probe: probeRef, episodes: num('episodes', 20, true), steps: num('steps', 60, true), batchSize: num('batch-size', config.sweep.batchSize, true),
    initialLr, minLr: num('min-lr', initialLr / 10, false), maxLr: num('max-lr', initialLr * 10, false), decisionEvery: num('decision-every', 10, true), modelFeatures: flags['model-features'] === true,
    forgettingWeight, seed, optimizer: config.sweep.optimizer, clipNorm: config.sweep.clipNorm, episodesPerUpdate: num('episodes-per-update', 2, true),
    ppo: {clip: 0.2, lr: 3e-3, epochs: 4, gamma: 0.99, lambda: 0.95, entropy: {start: 0.02, end: 0.002}, valueWeight: 0.5},
  }

  const runId = insertRun(ctx.store, {kind: 'controller', name: flags.name ?? null, seed, config: {...plan, baseModel, workers, out: flags.out}, backend: ctx.backend.name, backendReason: ctx.backend.reason, baseModel, trainDatasetId: null, evalDatasetId: recordDatasetUse(ctx.store, probeSet)})
  if (flags.name === undefined) setRunName(ctx.store, runId, `controller-${runId}`)
  for (const set of taskSets) recordDatasetUse(ctx.store, set)
  const pool = workers > 1 ? new EpisodePool(workers, ctx.backend.name) : null
  const began = performance.now()
  try {
    const result = await trainController({
      ...plan, baseModel, tasks, probe, ...(pool ? {runner: pool.run} : {}), onEpisode: ctx.onEpisode,
      onBatch: (episodes) => recordControllerEpisodes(ctx.store, runId, episodes),
    })
    const seconds = (performance.now() - began) / 1000
    const controller: ControllerFile = {...result.controller, training: {tasks: refs, probe: probeRef, episodes: result.returns.length, seed, forgettingWeight, initialLr, workers, seconds: Math.round(seconds), returns: result.returns}}
    saveController(flags.out, controller)
    finishControllerRun(ctx.store, runId, flags.out, JSON.stringify(controller))
    return {controller, returns: result.returns, seconds, runId}
  } catch (error) {
    setRunStatus(ctx.store, runId, 'failed')
    throw error
  } finally {
    await pool?.close()
  }
}
