import type {Rng} from '../../util/rng.js'
import {backward, forward, type MlpShape} from './mlp.js'

/** Softmax of logits (max-shifted). */
export function softmax(logits: readonly number[]): number[] {
  const m = Math.max(...logits)
  const e = logits.map((l) => Math.exp(l - m))
  const z = e.reduce((a, b) => a + b, 0)
  return e.map((x) => x / z)
}

/** The actor's distribution over the actions at a state. */
export function actionProbabilities(shape: MlpShape, actor: Float64Array, state: readonly number[]): number[] {
  return softmax(forward(shape, actor, state).out)
}

/** Samples an action index (training) with the seeded rng. */
export function sampleAction(probs: readonly number[], rng: Rng): number {
  const u = rng.next()
  let c = 0
  for (let i = 0; i < probs.length; i++) {
    c += probs[i]
    if (u < c) return i
  }
  return probs.length - 1
}

/** The most likely action (deployment: deterministic; ties go to the lower index). */
export function greedyAction(probs: readonly number[]): number {
  let best = 0
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i
  return best
}

/**
 * Adds to `grad` the gradient of  w_logp·logπ(a|s) + w_entropy·H(π(·|s))  with respect to the actor's
 * parameters; returns logπ(a|s) and H. (∂logπ_a/∂z_i = 1[i=a] − π_i; ∂H/∂z_i = −π_i(logπ_i + H).)
 */
export function policyGradient(shape: MlpShape, actor: Float64Array, state: readonly number[], action: number, wLogp: number, wEntropy: number, grad: Float64Array): {logp: number; entropy: number} {
  const {out, hidden} = forward(shape, actor, state)
  const probs = softmax(out)
  const logs = probs.map((p) => Math.log(Math.max(p, 1e-300)))
  const entropy = -probs.reduce((a, p, i) => a + p * logs[i], 0)
  const dOut = probs.map((p, i) => wLogp * ((i === action ? 1 : 0) - p) + wEntropy * -p * (logs[i] + entropy))
  backward(shape, actor, state, hidden, dOut, grad)
  return {logp: logs[action], entropy}
}
