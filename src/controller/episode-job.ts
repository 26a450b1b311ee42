import type {DatasetRecord} from '../datasets/types.js'
import {loadModel} from '../model/io.js'
import type {ControllerFile} from '../schedule/learned/controller.js'
import {buildTokenStream} from '../train/token-stream.js'
import {type Episode, type EpisodeSettings, runEpisode} from './episode.js'

/** Everything an episode needs, as plain data (it crosses to a worker process as JSON). */
export interface EpisodeJob extends EpisodeSettings {
  /** 0-based index: the order PPO consumes the episodes in */
  episode: number
  task: {name: string; train: DatasetRecord[]; valid: DatasetRecord[]}
  probe: DatasetRecord[]
  baseModel: string
  /** the controller as it stood when the batch began (every episode of a batch sees the same one) */
  controller: ControllerFile
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
    const {episode: _e, task, probe, baseModel: _b, ...settings} = job
    const e = await runEpisode({
      ...settings, model, train: buildTokenStream(task.train, tokenizer), valid: buildTokenStream(task.valid, tokenizer), probe: buildTokenStream(probe, tokenizer),
    })
    return {...e, episode: job.episode, task: job.task.name, seed: job.seed, seconds: (performance.now() - began) / 1000}
  } finally {
    model.dispose()
  }
}
