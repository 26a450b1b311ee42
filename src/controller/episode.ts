import type {Gpt} from '../model/gpt.js'
import {modelSnapshot} from '../model/prediction-stats.js'
import type {OptimizerConfig} from '../config/schema.js'
import type {Decision} from '../schedule/learned/learned-schedule.js'
import {learnedSchedule} from '../schedule/learned/learned-schedule.js'
import type {ControllerFile} from '../schedule/learned/controller.js'
import type {TokenStream} from '../train/token-stream.js'
import {validationBatches} from '../train/token-stream.js'
import {train, validationLoss} from '../train/trainer.js'
import {seededRng} from '../util/rng.js'

/** One episode's decisions with their rewards, the applied rates, and the losses that made the rewards. */
export interface Episode {
  decisions: Decision[]
  rewards: number[]
  /** lr applied at each step */
  lrs: number[]
  /** target validation loss at the start, at each decision, and at the end */
  valLosses: number[]
  /** out-of-domain probe loss at the same points */
  probeLosses: number[]
  status: string
}

/** How an episode fine-tunes and scores, as plain values (shared by EpisodeOptions and EpisodeJob). */
export interface EpisodeSettings {
  steps: number
  batchSize: number
  initialLr: number
  optimizer: OptimizerConfig
  clipNorm: number
  seed: number
  /** λ: weight of the forgetting term (0: the paper's reward) */
  forgettingWeight: number
}

export interface EpisodeOptions extends EpisodeSettings {
  model: Gpt
  controller: ControllerFile
  train: TokenStream
  valid: TokenStream
  /** out-of-domain text: its loss rising is forgetting */
  probe: TokenStream
}

/**
 * Fine-tunes `model` once with the controller sampling its actions (seeded) and scores each
 * decision: reward = (val_before − val_after) / val_start − λ · (probe_after − probe_before) / probe_start,
 * where "before" is the decision's step and "after" the next decision (or the end). A diverged
 * episode ends with a reward of −1 on its last decision.
 */
export async function runEpisode(o: EpisodeOptions): Promise<Episode> {
  const T = o.model.config.contextLength
  const validBatches = validationBatches(o.valid, o.batchSize, T, 4)
  const probeBatches = validationBatches(o.probe, o.batchSize, T, 4)
  const valLosses = [validationLoss(o.model, validBatches)]
  const probeLosses = [validationLoss(o.model, probeBatches)]
  const decisions: Decision[] = []
  const lrs: number[] = []
  const schedule = learnedSchedule(o.controller, {
    initialLr: o.initialLr, steps: o.steps, rng: seededRng(o.seed),
    // a controller of format 2 reads the model's predictions on the first validation batch
    inspect: () => modelSnapshot(o.model, validBatches[0]),
    onDecision: (d) => {
      decisions.push(d)
      valLosses.push(d.valLoss ?? valLosses[valLosses.length - 1])
      probeLosses.push(validationLoss(o.model, probeBatches))
    },
  })
  const result = await train({
    model: o.model, train: o.train, valid: o.valid, steps: o.steps, batchSize: o.batchSize,
    schedule: (step) => {
      const lr = schedule.lrAt(step)
      lrs.push(lr)
      return lr
    },
    observe: (obs) => schedule.observe(obs),
    optimizer: o.optimizer, clipNorm: o.clipNorm, seed: o.seed, valEvery: o.controller.decisionEvery, valBatches: 4,
    checkpointEvery: o.steps + 1, divergence: {rtol: 4, window: 10, atol: 0.5, patience: 3},
  })
  valLosses.push(result.finalValLoss ?? valLosses[valLosses.length - 1])
  probeLosses.push(validationLoss(o.model, probeBatches))
  // decision k acts between point k+1 (its own) and point k+2 (the next decision or the end)
  const rewards = decisions.map((_, k) => {
    const dv = (valLosses[k + 1] - valLosses[k + 2]) / valLosses[0]
    const dp = (probeLosses[k + 2] - probeLosses[k + 1]) / probeLosses[0]
    return dv - o.forgettingWeight * dp
  })
  if (result.status === 'diverged' && rewards.length > 0) rewards[rewards.length - 1] = -1
  return {decisions, rewards, lrs, valLosses, probeLosses, status: result.status}
}
