import type {OptimizerConfig} from '../config/schema.js'
import type {DatasetRecord} from '../datasets/types.js'
import {type ControllerFile, newController} from '../schedule/learned/controller.js'
import {entropyWeight} from '../schedule/learned/entropy.js'
import {gae} from '../schedule/learned/gae.js'
import {adamState, ppoUpdate, type PpoSample} from '../schedule/learned/ppo.js'
import {deriveSeed} from '../util/rng.js'
import {type EpisodeJob, type EpisodeOutcome, runEpisodeJob} from './episode-job.js'

/** A source task: its fine-tune and validation records (never the example's target, food). */
export interface SourceTask {
  name: string
  train: DatasetRecord[]
  valid: DatasetRecord[]
}

/**
 * Runs a batch of episodes and returns their outcomes in the jobs' order (episode order), however
 * they were scheduled: in this process one after another (`sequentialEpisodes`) or across worker
 * processes (episode-pool.ts).
 */
export type EpisodeRunner = (jobs: readonly EpisodeJob[]) => Promise<EpisodeOutcome[]>

/** Runs the jobs one after another in this process. */
export const sequentialEpisodes: EpisodeRunner = async (jobs) => {
  const out: EpisodeOutcome[] = []
  for (const job of jobs) out.push(await runEpisodeJob(job))
  return out
}

export interface ControllerTrainingOptions {
  baseModel: string
  tasks: SourceTask[]
  /** out-of-domain records whose loss is the forgetting probe */
  probe: DatasetRecord[]
  episodes: number
  /** optimizer steps per episode */
  steps: number
  batchSize: number
  initialLr: number
  minLr: number
  maxLr: number
  decisionEvery: number
  /** also read the model (predictions, output layer): a controller of format 2; else format 1 (losses and lr only) */
  modelFeatures?: boolean
  forgettingWeight: number
  seed: number
  optimizer: OptimizerConfig
  clipNorm: number
  /** episodes per PPO update (a batch: its episodes may run in parallel) */
  episodesPerUpdate: number
  ppo: {clip: number; lr: number; epochs: number; gamma: number; lambda: number; entropy: {start: number; end: number}; valueWeight: number}
  /** how a batch's episodes run (default: sequentially in this process) */
  runner?: EpisodeRunner
  onEpisode?: (e: EpisodeOutcome & {return: number}) => void
  /** after each batch, before the PPO update: its episodes in order (to store them) */
  onBatch?: (episodes: ReadonlyArray<EpisodeOutcome & {return: number}>) => void
}

export interface ControllerTrainingResult {
  controller: ControllerFile
  /** the undiscounted return of every episode, in order */
  returns: number[]
}

/**
 * Trains the learned controller with PPO: episodes go in batches of `episodesPerUpdate`; every
 * episode of a batch fine-tunes a fresh copy of the base model on one source task (round robin) with
 * actions sampled from the controller as it stood at the batch's start, so the batch's episodes are
 * independent and may run in parallel. Their outcomes are taken in episode order, then the actor and
 * critic take one clipped-PPO update on their decisions (GAE advantages), the entropy bonus decaying
 * over the updates. Seeded: the same options give the same controller, whatever the runner.
 */
export async function trainController(o: ControllerTrainingOptions): Promise<ControllerTrainingResult> {
  const controller = newController({seed: deriveSeed(o.seed, 'controller-init'), minLr: o.minLr, maxLr: o.maxLr, decisionEvery: o.decisionEvery, version: o.modelFeatures ? 2 : 1})
  const adam = {actor: adamState(controller.actor.length), critic: adamState(controller.critic.length)}
  const runner = o.runner ?? sequentialEpisodes
  const updates = Math.ceil(o.episodes / o.episodesPerUpdate)
  const returns: number[] = []
  for (let update = 0; update < updates; update++) {
    const first = update * o.episodesPerUpdate
    const jobs: EpisodeJob[] = []
    for (let episode = first; episode < Math.min(o.episodes, first + o.episodesPerUpdate); episode++) {
      jobs.push({
        episode, task: o.tasks[episode % o.tasks.length], probe: o.probe, baseModel: o.baseModel, controller: structuredClone(controller),
        steps: o.steps, batchSize: o.batchSize, initialLr: o.initialLr, optimizer: o.optimizer, clipNorm: o.clipNorm,
        seed: deriveSeed(o.seed, `episode:${episode}`), forgettingWeight: o.forgettingWeight,
      })
    }
    const outcomes = (await runner(jobs)).map((e) => ({...e, return: e.rewards.reduce((a, b) => a + b, 0)}))
    const batch: PpoSample[] = []
    for (const e of outcomes) {
      const {advantages, returns: targets} = gae(e.rewards, e.decisions.map((d) => d.value), 0, o.ppo.gamma, o.ppo.lambda)
      e.decisions.forEach((d, k) => batch.push({state: d.state, action: d.action, logp: d.logp, advantage: advantages[k], return: targets[k]}))
      returns.push(e.return)
      o.onEpisode?.(e)
    }
    o.onBatch?.(outcomes)
    if (batch.length > 0) ppoUpdate(controller, batch, {clip: o.ppo.clip, lr: o.ppo.lr, epochs: o.ppo.epochs, entropy: entropyWeight(o.ppo.entropy, update, updates), valueWeight: o.ppo.valueWeight}, adam)
  }
  return {controller, returns}
}
