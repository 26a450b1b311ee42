import type {OptimizerConfig} from '../config/schema.js'
import type {DatasetRecord} from '../datasets/types.js'
import {loadModel} from '../model/io.js'
import {type ControllerFile, newController} from '../schedule/learned/controller.js'
import {entropyWeight} from '../schedule/learned/entropy.js'
import {gae} from '../schedule/learned/gae.js'
import {adamState, ppoUpdate, type PpoSample} from '../schedule/learned/ppo.js'
import {buildTokenStream} from '../train/token-stream.js'
import {deriveSeed} from '../util/rng.js'
import {runEpisode} from './episode.js'

/** A source task: its fine-tune and validation records (never the example's target, food). */
export interface SourceTask {
  name: string
  train: DatasetRecord[]
  valid: DatasetRecord[]
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
  forgettingWeight: number
  seed: number
  optimizer: OptimizerConfig
  clipNorm: number
  /** episodes per PPO update */
  episodesPerUpdate: number
  ppo: {clip: number; lr: number; epochs: number; gamma: number; lambda: number; entropy: {start: number; end: number}; valueWeight: number}
  onEpisode?: (e: {episode: number; task: string; return: number; status: string; lrs: number[]}) => void
}

export interface ControllerTrainingResult {
  controller: ControllerFile
  /** the undiscounted return of every episode, in order */
  returns: number[]
}

/**
 * Trains the learned controller with PPO: each episode fine-tunes a fresh copy of the base model
 * on one source task (round robin) with sampled decisions; every `episodesPerUpdate` episodes the
 * actor and critic take a clipped-PPO update on their decisions (GAE advantages), the entropy bonus
 * decaying over the updates. Seeded: the same options give the same controller.
 */
export async function trainController(o: ControllerTrainingOptions): Promise<ControllerTrainingResult> {
  const controller = newController({seed: deriveSeed(o.seed, 'controller-init'), minLr: o.minLr, maxLr: o.maxLr, decisionEvery: o.decisionEvery})
  const adam = {actor: adamState(controller.actor.length), critic: adamState(controller.critic.length)}
  const updates = Math.ceil(o.episodes / o.episodesPerUpdate)
  const returns: number[] = []
  let batch: PpoSample[] = []
  for (let episode = 0; episode < o.episodes; episode++) {
    const task = o.tasks[episode % o.tasks.length]
    const {model, tokenizer} = loadModel(o.baseModel)
    try {
      const e = await runEpisode({
        model, controller, train: buildTokenStream(task.train, tokenizer), valid: buildTokenStream(task.valid, tokenizer), probe: buildTokenStream(o.probe, tokenizer),
        steps: o.steps, batchSize: o.batchSize, initialLr: o.initialLr, optimizer: o.optimizer, clipNorm: o.clipNorm,
        seed: deriveSeed(o.seed, `episode:${episode}`), forgettingWeight: o.forgettingWeight,
      })
      const {advantages, returns: targets} = gae(e.rewards, e.decisions.map((d) => d.value), 0, o.ppo.gamma, o.ppo.lambda)
      e.decisions.forEach((d, k) => batch.push({state: d.state, action: d.action, logp: d.logp, advantage: advantages[k], return: targets[k]}))
      const ret = e.rewards.reduce((a, b) => a + b, 0)
      returns.push(ret)
      o.onEpisode?.({episode, task: task.name, return: ret, status: e.status, lrs: e.lrs})
    } finally {
      model.dispose()
    }
    if ((episode + 1) % o.episodesPerUpdate === 0 || episode === o.episodes - 1) {
      const update = Math.floor(episode / o.episodesPerUpdate)
      if (batch.length > 0) ppoUpdate(controller, batch, {clip: o.ppo.clip, lr: o.ppo.lr, epochs: o.ppo.epochs, entropy: entropyWeight(o.ppo.entropy, update, updates), valueWeight: o.ppo.valueWeight}, adam)
      batch = []
    }
  }
  return {controller, returns}
}
