import type {OptimizerConfig} from '../config/schema.js'
import type {DatasetRecord} from '../datasets/types.js'
import {loadModel} from '../model/io.js'
import type {ControllerFile} from '../schedule/learned/controller.js'
import {buildTokenStream} from '../train/token-stream.js'
import {type Episode, runEpisode} from './episode.js'

/** Everything an episode needs, as plain data (it crosses to a worker process as JSON). */
export interface EpisodeJob {
  /** 0-based index: the order PPO consumes the episodes in */
  episode: number
  task: {name: string; train: DatasetRecord[]; valid: DatasetRecord[]}
  probe: DatasetRecord[]
  baseModel: string
  /** the controller as it stood when the batch began (every episode of a batch sees the same one) */
  controller: ControllerFile
  steps: number
  batchSize: number
  initialLr: number
  optimizer: OptimizerConfig
  clipNorm: number
  seed: number
  forgettingWeight: number
}

/** An episode's result with the task it ran on and its wall time. */
export interface EpisodeOutcome extends Episode {
  episode: number
  task: string
  seed: number
  seconds: number
}

/**
 * Runs one episode on a fresh copy of the base model (loaded from `job.baseModel`, disposed after):
 * the same job gives the same outcome in this process or a worker (seeded batches and actions).
 */
export async function runEpisodeJob(job: EpisodeJob): Promise<EpisodeOutcome> {
  const began = performance.now()
  const {model, tokenizer} = loadModel(job.baseModel)
  try {
    const e = await runEpisode({
      model, controller: job.controller, train: buildTokenStream(job.task.train, tokenizer), valid: buildTokenStream(job.task.valid, tokenizer),
      probe: buildTokenStream(job.probe, tokenizer), steps: job.steps, batchSize: job.batchSize, initialLr: job.initialLr, optimizer: job.optimizer,
      clipNorm: job.clipNorm, seed: job.seed, forgettingWeight: job.forgettingWeight,
    })
    return {...e, episode: job.episode, task: job.task.name, seed: job.seed, seconds: (performance.now() - began) / 1000}
  } finally {
    model.dispose()
  }
}
