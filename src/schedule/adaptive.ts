import {type ScheduleRun, validateSchedule} from './build.js'
import {loadController} from './learned/controller.js'
import {learnedSchedule} from './learned/learned-schedule.js'
import type {ModelView} from './learned/model-features.js'
import {PlateauSchedule} from './plateau.js'
import type {ScheduleSpec} from './spec.js'

/** What the training loop reports after each optimizer step to a schedule decided during training. */
export interface StepObservation {
  /** 0-based optimizer step just taken */
  step: number
  lr: number
  loss: number
  /** the validation loss measured after this step, or null when none was */
  valLoss: number | null
}

/**
 * A schedule the trainer drives: `lrAt(step)` before each step, `observe` after it. A closed-form
 * schedule ignores the observations; reduce-on-plateau (and the learned controller) act on them.
 */
export interface AdaptiveSchedule {
  /** true when the rate depends on what training observed (so an external trainer cannot take it) */
  readonly adaptive: boolean
  lrAt(step: number): number
  observe(observation: StepObservation): void
}

/**
 * The schedule of one candidate: a closed-form type as it is, `plateau` as warmup followed by
 * PyTorch's ReduceLROnPlateau (mode min) fed each validation loss taken after the warmup, or
 * `learned`: the controller file's greedy decisions (deterministic; `hooks.inspect` reads the model for
 * a controller of format 2).
 *
 * @example
 * const s = adaptiveSchedule({type: 'plateau', patience: 2, factor: 0.5}, {lr: 1e-3, steps: 100})
 * s.lrAt(0); s.observe({step: 0, lr: 1e-3, loss: 2.1, valLoss: 2.3})
 */
export function adaptiveSchedule(spec: ScheduleSpec, run: ScheduleRun, hooks: {inspect?: () => ModelView} = {}): AdaptiveSchedule {
  const resolved = validateSchedule(spec, run)
  // The learned controller decides from the first step on (its initial rate is the candidate's lr; no warmup).
  if (resolved.type === 'learned') return learnedSchedule(loadController(resolved.params.controller as string), {initialLr: resolved.lr, steps: resolved.steps, ...hooks})
  if (resolved.type !== 'plateau') return {adaptive: false, lrAt: resolved.lrAt, observe: () => {}}
  const p = resolved.params as {factor: number; patience: number; threshold: number; cooldown: number; minLr: number}
  const plateau = new PlateauSchedule(resolved.lr, {factor: p.factor, patience: p.patience, threshold: p.threshold, cooldown: p.cooldown, minLr: p.minLr})
  const warmupSteps = resolved.warmup.steps
  return {
    adaptive: true,
    lrAt: (step) => (step < warmupSteps ? resolved.lrAt(step) : plateau.lr),
    observe: ({step, valLoss}) => {
      if (valLoss !== null && step >= warmupSteps) plateau.step(valLoss)
    },
  }
}
