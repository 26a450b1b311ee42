import {actorShape, type ControllerFile, criticShape} from './controller.js'
import {backward, forward} from './mlp.js'
import {policyGradient} from './policy.js'
import {clippedLoss, valueLoss} from './ppo-loss.js'

/** One sample of a PPO batch: the state, the action taken, its old log-probability, advantage and return. */
export interface PpoSample {
  state: number[]
  action: number
  logp: number
  advantage: number
  return: number
}

export interface PpoOptions {
  /** clip range ε (0.2) */
  clip: number
  /** Adam learning rate of actor and critic */
  lr: number
  /** passes over the batch per update */
  epochs: number
  /** weight of the entropy bonus this update (entropy.ts) */
  entropy: number
  /** weight of the critic's loss */
  valueWeight: number
}

/** Adam state over a flat parameter vector. */
export interface AdamState {
  m: Float64Array
  v: Float64Array
  t: number
}

export function adamState(n: number): AdamState {
  return {m: new Float64Array(n), v: new Float64Array(n), t: 0}
}

function adamStep(p: number[], g: Float64Array, s: AdamState, lr: number): void {
  s.t++
  const b1 = 0.9, b2 = 0.999
  for (let i = 0; i < p.length; i++) {
    s.m[i] = b1 * s.m[i] + (1 - b1) * g[i]
    s.v[i] = b2 * s.v[i] + (1 - b2) * g[i] * g[i]
    p[i] -= (lr * s.m[i]) / (1 - b1 ** s.t) / (Math.sqrt(s.v[i] / (1 - b2 ** s.t)) + 1e-8)
  }
}

/**
 * One PPO update of the controller in place (full batch, `epochs` passes): the actor descends the
 * clipped surrogate minus the entropy bonus, the critic ½(V − R)². Advantages are normalised to mean
 * 0, sd 1 over the batch. Returns the mean losses of the last pass.
 */
export function ppoUpdate(c: ControllerFile, batch: readonly PpoSample[], o: PpoOptions, adam: {actor: AdamState; critic: AdamState}): {policyLoss: number; valueLoss: number; entropy: number} {
  const as = actorShape(c), cs = criticShape(c)
  const mean = batch.reduce((a, s) => a + s.advantage, 0) / batch.length
  const sd = Math.sqrt(batch.reduce((a, s) => a + (s.advantage - mean) ** 2, 0) / batch.length) || 1
  let last = {policyLoss: 0, valueLoss: 0, entropy: 0}
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const actor = Float64Array.from(c.actor), critic = Float64Array.from(c.critic)
    const gActor = new Float64Array(actor.length), gCritic = new Float64Array(critic.length)
    let pl = 0, vl = 0, ent = 0
    for (const s of batch) {
      const advantage = (s.advantage - mean) / sd
      // the ratio's current log-probability, then the gradient of loss − entropy·H through logπ and H
      const probe = new Float64Array(actor.length)
      const {logp} = policyGradient(as, actor, s.state, s.action, 0, 0, probe)
      const surrogate = clippedLoss(logp, s.logp, advantage, o.clip)
      const {entropy} = policyGradient(as, actor, s.state, s.action, surrogate.dLogp / batch.length, -o.entropy / batch.length, gActor)
      const {out, hidden} = forward(cs, critic, s.state)
      const v = valueLoss(out[0], s.return)
      backward(cs, critic, s.state, hidden, [(o.valueWeight * v.dValue) / batch.length], gCritic)
      pl += surrogate.loss / batch.length
      vl += v.loss / batch.length
      ent += entropy / batch.length
    }
    adamStep(c.actor, gActor, adam.actor, o.lr)
    adamStep(c.critic, gCritic, adam.critic, o.lr)
    last = {policyLoss: pl, valueLoss: vl, entropy: ent}
  }
  return last
}
