import type {Config} from '../config/schema.js'
import {positiveNumber, seedFlag} from '../config/flag-numbers.js'
import {loadDataset} from '../datasets/load.js'
import {InputError} from '../errors.js'
import {resolveModelRef} from '../model/reference.js'
import {saveController} from '../schedule/learned/controller.js'
import {probeRecords} from '../sweep/probe.js'
import {splitTraining} from '../sweep/training-data.js'
import {type ControllerTrainingResult, type SourceTask, trainController} from './train-controller.js'

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
  seed?: string
  base?: string
  out: string
}

/**
 * Plans and runs controller training: the source tasks (`--tasks a@1,b@1`; a task with a `target:food`
 * cohort is refused: food is the example's held-out target), the probe (the eval dataset's `ood`
 * records), then trainController, then writes the controller file with how it was made.
 */
export async function runControllerTraining(config: Config, flags: ControllerFlags, cwd: string, onEpisode: Parameters<typeof trainController>[0]['onEpisode']): Promise<ControllerTrainingResult & {seconds: number}> {
  const refs = flags.tasks.split(',').map((t) => t.trim()).filter((t) => t !== '')
  if (refs.length === 0) throw new InputError('--tasks needs at least one dataset (name@version or folder), e.g. --tasks wordnet-animal@1.')
  const seed = flags.seed !== undefined ? seedFlag(flags.seed) : config.seed
  const tasks: SourceTask[] = []
  for (const ref of refs) {
    const set = await loadDataset(ref, {cwd})
    if (set.records.some((r) => r.cohort === 'target:food')) throw new InputError(`--tasks ${ref} holds target:food records: food is the example's held-out target; train the controller on other tasks.`)
    tasks.push({name: ref, ...splitTraining(set, seed)})
  }
  const probeRef = flags.probe ?? config.datasets.eval
  const probe = probeRecords(await loadDataset(probeRef, {cwd}), 32, seed)
  if (probe.length === 0) throw new InputError(`--probe ${probeRef} has no ood cohort: the forgetting probe needs out-of-domain records.`)
  const num = (name: keyof ControllerFlags, fallback: number, integer: boolean) => (flags[name] === undefined ? fallback : positiveNumber(name, flags[name]!, integer))
  const forgettingWeight = flags['forgetting-weight'] === undefined ? 0 : Number(flags['forgetting-weight'])
  if (!Number.isFinite(forgettingWeight) || forgettingWeight < 0) throw new InputError(`--forgetting-weight must be a number ≥ 0 (got "${flags['forgetting-weight']}").`)
  const initialLr = num('lr', 1e-3, false)
  const began = performance.now()
  const result = await trainController({
    baseModel: resolveModelRef(flags.base ?? config.baseModel, cwd, '--base'), tasks, probe,
    episodes: num('episodes', 20, true), steps: num('steps', 60, true), batchSize: num('batch-size', config.sweep.batchSize, true),
    initialLr, minLr: num('min-lr', initialLr / 10, false), maxLr: num('max-lr', initialLr * 10, false), decisionEvery: num('decision-every', 10, true),
    forgettingWeight, seed, optimizer: config.sweep.optimizer, clipNorm: config.sweep.clipNorm, episodesPerUpdate: num('episodes-per-update', 2, true),
    ppo: {clip: 0.2, lr: 3e-3, epochs: 4, gamma: 0.99, lambda: 0.95, entropy: {start: 0.02, end: 0.002}, valueWeight: 0.5},
    onEpisode,
  })
  const seconds = (performance.now() - began) / 1000
  result.controller.training = {tasks: refs, probe: probeRef, episodes: result.returns.length, seed, forgettingWeight, initialLr, seconds: Math.round(seconds), returns: result.returns}
  saveController(flags.out, result.controller)
  return {...result, seconds}
}
