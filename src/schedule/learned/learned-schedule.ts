import type {Rng} from '../../util/rng.js'
import type {AdaptiveSchedule, StepObservation} from '../adaptive.js'
import {actorShape, applyAction, type ControllerFile, criticShape, readsModel} from './controller.js'
import {stateFeatures} from './features.js'
import {modelFeatures, type ModelView} from './model-features.js'
import {forward} from './mlp.js'
import {actionProbabilities, greedyAction, sampleAction} from './policy.js'

/** One decision as PPO needs it (training only). */
export interface Decision {
  /** 0-based step after which it was made */
  step: number
  state: number[]
  action: number
  /** log-probability of the action under the policy that chose it */
  logp: number
  /** the critic's value of the state */
  value: number
  lrBefore: number
  lrAfter: number
  /** the validation loss seen when it was made (the reward compares consecutive ones) */
  valLoss: number | null
}

export interface LearnedOptions {
  /** the starting rate (a sweep candidate's lr) */
  initialLr: number
  /** the run's optimizer steps */
  steps: number
  /** absent: the most likely action (deterministic); given: sampled (controller training) */
  rng?: Rng
  /**
   * Reads the model now (src/model/prediction-stats.ts modelSnapshot on a fixed batch); required by a
   * controller that reads the model (format 2), called once at the start and once per decision.
   */
  inspect?: () => ModelView
  onDecision?: (d: Decision) => void
}

/**
 * The learned schedule: every `decisionEvery` steps the controller reads the state (features.ts, and
 * model-features.ts for a controller of format 2) and multiplies the rate by one of its factors, kept within [minLr, maxLr]. Between decisions the
 * rate holds. Deterministic without an rng.
 */
export function learnedSchedule(c: ControllerFile, o: LearnedOptions): AdaptiveSchedule & {readonly lr: number} {
  const modelAware = readsModel(c)
  if (modelAware && o.inspect === undefined) throw new Error('this controller reads the model (format 2): its schedule needs inspect')
  // the model at the start, and at the previous decision (its predictions' change is measured from there)
  const start = modelAware ? o.inspect!() : null
  let previous = start
  const history: StepObservation[] = []
  const actor = Float64Array.from(c.actor), critic = Float64Array.from(c.critic)
  let lr = Math.min(c.maxLr, Math.max(c.minLr, o.initialLr))
  let lastVal: number | null = null
  let lastValAtDecision: number | null = null
  return {
    adaptive: true,
    get lr() {
      return lr
    },
    lrAt: () => lr,
    observe(observation) {
      history.push(observation)
      if (observation.valLoss !== null) lastVal = observation.valLoss
      const done = observation.step + 1
      if (done % c.decisionEvery !== 0 || done >= o.steps) return
      const state = stateFeatures(history, {window: c.decisionEvery, steps: o.steps, lr, initialLr: o.initialLr, lastValAtDecision})
      if (modelAware) {
        const now = o.inspect!()
        state.push(...modelFeatures(now, previous!, start!))
        previous = now
      }
      const probs = actionProbabilities(actorShape(c), actor, state)
      const action = o.rng ? sampleAction(probs, o.rng) : greedyAction(probs)
      const before = lr
      lr = applyAction(c, lr, action)
      lastValAtDecision = lastVal
      o.onDecision?.({step: observation.step, state, action, logp: Math.log(probs[action]), value: forward(criticShape(c), critic, state).out[0], lrBefore: before, lrAfter: lr, valLoss: lastVal})
    },
  }
}
