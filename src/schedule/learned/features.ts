import type {StepObservation} from '../adaptive.js'
import {MODEL_FEATURES} from './model-features.js'

/**
 * The controller's state at a decision, from what the training loop observed so far (Xu et al.
 * 2019's training-dynamics features: losses and the rate). Every feature is a ratio to the run's own
 * start or a log-ratio, so a controller trained on one task transfers to another whose losses sit at
 * another level; each is clipped to [−5, 5]. These are a controller file's features in format
 * version 1; version 2 appends the model features (model-features.ts, FEATURES).
 */
export const LOSS_FEATURES = [
  'trainLoss/start',
  'trainTrend/start',
  'trainSd/mean',
  'valLoss/start',
  'valChange/start',
  'log(lr/initialLr)',
  'progress',
] as const

/** Every feature of format version 2: the loss features, then the model's (predictions, output layer). */
export const FEATURES = [...LOSS_FEATURES, ...MODEL_FEATURES] as const

const clip = (x: number) => (Number.isFinite(x) ? Math.max(-5, Math.min(5, x)) : 0)
const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length)

/**
 * The loss features (LOSS_FEATURES' order) after `history` (every step so far, in order) with `window` steps per decision.
 * `lastValAtDecision` is the validation loss seen at the previous decision (null at the first).
 */
export function stateFeatures(history: readonly StepObservation[], o: {window: number; steps: number; lr: number; initialLr: number; lastValAtDecision: number | null}): number[] {
  const losses = history.map((h) => h.loss)
  const recent = losses.slice(-o.window)
  const before = losses.slice(-2 * o.window, -o.window)
  const start = mean(losses.slice(0, o.window))
  const level = mean(recent)
  const sd = Math.sqrt(mean(recent.map((l) => (l - level) ** 2)))
  const vals = history.map((h) => h.valLoss).filter((v): v is number => v !== null && Number.isFinite(v))
  const firstVal = vals[0], lastVal = vals[vals.length - 1]
  const step = history.length === 0 ? 0 : history[history.length - 1].step + 1
  return [
    clip(level / start),
    clip(before.length === 0 ? 0 : (level - mean(before)) / start),
    clip(sd / level),
    clip(vals.length === 0 ? 1 : lastVal / firstVal),
    clip(vals.length === 0 || o.lastValAtDecision === null ? 0 : (lastVal - o.lastValAtDecision) / firstVal),
    clip(Math.log(o.lr / o.initialLr)),
    clip(step / o.steps),
  ]
}
