import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {entropyWeight} from '../../src/schedule/learned/entropy.js'
import {gae} from '../../src/schedule/learned/gae.js'
import {applyAction, loadController, newController, saveController} from '../../src/schedule/learned/controller.js'
import {learnedSchedule} from '../../src/schedule/learned/learned-schedule.js'
import {backward, forward, initMlp, parameterCount} from '../../src/schedule/learned/mlp.js'
import {policyGradient} from '../../src/schedule/learned/policy.js'
import {adamState, ppoUpdate} from '../../src/schedule/learned/ppo.js'
import {clippedLoss} from '../../src/schedule/learned/ppo-loss.js'
import {seededRng} from '../../src/util/rng.js'

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`)

/** A synthetic run: loss falling with noise, a validation loss every 5 steps. */
function feed(schedule: ReturnType<typeof learnedSchedule>, steps: number): number[] {
  const lrs: number[] = []
  for (let t = 0; t < steps; t++) {
    const lr = schedule.lrAt(t)
    lrs.push(lr)
    const loss = 2 * Math.exp(-t / 30) + 0.05 * Math.sin(t)
    schedule.observe({step: t, lr, loss, valLoss: (t + 1) % 5 === 0 ? loss + 0.1 : null})
  }
  return lrs
}

describe('learned controller: PPO pieces on hand-computed values', () => {
  it('clipped loss: inside the clip range, clipped above for A > 0, clipped below for A < 0', () => {
    // ρ = 1.1, A = 2: min(2.2, 2.2) → unclipped, dL/dlogp = −ρA
    let r = clippedLoss(Math.log(1.1), 0, 2, 0.2)
    close(r.loss, -2.2, 1e-12)
    close(r.dLogp, -2.2, 1e-12)
    // ρ = 1.5, A = 2: min(3, 1.2·2 = 2.4) = 2.4 → clipped, no gradient
    r = clippedLoss(Math.log(1.5), 0, 2, 0.2)
    close(r.loss, -2.4)
    assert.equal(r.dLogp, 0)
    assert.equal(r.clipped, true)
    // ρ = 0.5, A = −1: min(−0.5, 0.8·−1 = −0.8) = −0.8 → clipped
    r = clippedLoss(Math.log(0.5), 0, -1, 0.2)
    close(r.loss, 0.8)
    assert.equal(r.dLogp, 0)
    // ρ = 1.5, A = −1: min(−1.5, −1.2) = −1.5 → unclipped (PPO keeps the pessimistic term), gradient −ρA = 1.5
    r = clippedLoss(Math.log(1.5), 0, -1, 0.2)
    close(r.loss, 1.5)
    close(r.dLogp, 1.5)
  })

  it('GAE: advantages and returns of a 3-step episode (γ 0.9, λ 0.8)', () => {
    // δ2 = 1 + 0.9·0 − 0.5 = 0.5; δ1 = 0 + 0.9·0.5 − 1 = −0.55; δ0 = 2 + 0.9·1 − 0.5 = 2.4
    // A2 = 0.5; A1 = −0.55 + 0.72·0.5 = −0.19; A0 = 2.4 + 0.72·(−0.19) = 2.2632
    const {advantages, returns} = gae([2, 0, 1], [0.5, 1, 0.5], 0, 0.9, 0.8)
    ;[2.2632, -0.19, 0.5].forEach((a, i) => close(advantages[i], a, 1e-12))
    ;[2.7632, 0.81, 1].forEach((v, i) => close(returns[i], v, 1e-12))
    // a bootstrap value after the last decision: δ2 = 1 + 0.9·2 − 0.5 = 2.3
    close(gae([1], [0.5], 2, 0.9, 0.8).advantages[0], 2.3)
  })

  it('the entropy weight decays linearly from start to end over the updates', () => {
    [0.03, 0.02, 0.01].forEach((w, u) => close(entropyWeight({start: 0.03, end: 0.01}, u, 3), w, 1e-15))
    assert.equal(entropyWeight({start: 0.03, end: 0.01}, 7, 3), 0.01)
  })

  it('MLP and policy gradients match finite differences', () => {
    const shape = {inputs: 3, hidden: 4, outputs: 3}
    const p = initMlp(shape, seededRng(3), 1)
    assert.equal(p.length, parameterCount(shape))
    const x = [0.3, -1.2, 0.7]
    const grad = new Float64Array(p.length)
    policyGradient(shape, p, x, 2, 1, 0.5, grad)
    const objective = (q: Float64Array) => {
      const out = forward(shape, q, x).out
      const m = Math.max(...out), z = out.reduce((a, o) => a + Math.exp(o - m), 0)
      const logs = out.map((o) => o - m - Math.log(z))
      return logs[2] + 0.5 * -logs.reduce((a, l) => a + Math.exp(l) * l, 0)
    }
    for (const i of [0, 5, 13, p.length - 1]) {
      const up = Float64Array.from(p), down = Float64Array.from(p)
      up[i] += 1e-6
      down[i] -= 1e-6
      close(grad[i], (objective(up) - objective(down)) / 2e-6, 1e-6)
    }
    const g2 = new Float64Array(p.length)
    const {hidden} = forward(shape, p, x)
    backward(shape, p, x, hidden, [1, 0, 0], g2)
    const up = Float64Array.from(p)
    up[2] += 1e-6
    close(g2[2], (forward(shape, up, x).out[0] - forward(shape, p, x).out[0]) / 1e-6, 1e-5)
  })

  it('PPO raises the probability of an action with positive advantage', () => {
    const c = newController({seed: 1, minLr: 1e-6, maxLr: 1, decisionEvery: 5})
    const state = [1, 0, 0.1, 1, 0, 0, 0.5]
    const before = policyGradient({inputs: 7, hidden: 32, outputs: 3}, Float64Array.from(c.actor), state, 2, 0, 0, new Float64Array(c.actor.length)).logp
    const batch = [{state, action: 2, logp: before, advantage: 1, return: 1}, {state, action: 0, logp: Math.log(1 / 3), advantage: -1, return: 0}]
    const adam = {actor: adamState(c.actor.length), critic: adamState(c.critic.length)}
    for (let i = 0; i < 5; i++) ppoUpdate(c, batch, {clip: 0.2, lr: 0.01, epochs: 2, entropy: 0, valueWeight: 0.5}, adam)
    const after = policyGradient({inputs: 7, hidden: 32, outputs: 3}, Float64Array.from(c.actor), state, 2, 0, 0, new Float64Array(c.actor.length)).logp
    assert.ok(after > before, `logπ(a=2) ${after} should exceed ${before}`)
  })
})

describe('learned controller: decisions', () => {
  it('an action multiplies the rate by its configured factor, within [minLr, maxLr]', () => {
    const c = {factors: [0.5, 1, 2], minLr: 1e-4, maxLr: 1e-3}
    assert.equal(applyAction(c, 4e-4, 0), 2e-4)
    assert.equal(applyAction(c, 4e-4, 1), 4e-4)
    assert.equal(applyAction(c, 4e-4, 2), 8e-4)
    assert.equal(applyAction(c, 8e-4, 2), 1e-3)
    assert.equal(applyAction(c, 1.5e-4, 0), 1e-4)
    // a sampled run: every change is one factor, rates stay within bounds
    const ctl = newController({seed: 2, factors: [1 / 1.06, 1, 1.06], minLr: 5e-4, maxLr: 2e-3, decisionEvery: 5})
    const lrs = feed(learnedSchedule(ctl, {initialLr: 1e-3, steps: 200, rng: seededRng(9)}), 200)
    const ratios = new Set<string>()
    for (let t = 1; t < lrs.length; t++) {
      assert.ok(lrs[t] >= 5e-4 - 1e-18 && lrs[t] <= 2e-3 + 1e-18)
      if (lrs[t] !== lrs[t - 1]) {
        assert.equal(t % 5, 0, 'the rate changes only after a decision')
        const r = lrs[t] / lrs[t - 1]
        const onBound = lrs[t] === 5e-4 || lrs[t] === 2e-3
        assert.ok(onBound || Math.abs(r - 1.06) < 1e-9 || Math.abs(r - 1 / 1.06) < 1e-9, `ratio ${r}`)
        ratios.add(r > 1 ? 'up' : 'down')
      }
    }
    assert.deepEqual([...ratios].sort(), ['down', 'up'])
  })

  it('a controller saved and loaded gives identical decisions', () => {
    const ctl = newController({seed: 5, minLr: 1e-5, maxLr: 1e-2, decisionEvery: 5})
    // make the policy non-trivial, so greedy decisions vary along the run
    ctl.actor = ctl.actor.map((w, i) => w + Math.sin(i) * 0.5)
    const file = join(mkdtempSync(join(tmpdir(), 'lrgate-ctl-')), 'controller.json')
    saveController(file, ctl)
    const loaded = loadController(file)
    assert.deepEqual(loaded, ctl)
    const a = feed(learnedSchedule(ctl, {initialLr: 1e-3, steps: 100}), 100)
    const b = feed(learnedSchedule(loaded, {initialLr: 1e-3, steps: 100}), 100)
    assert.deepEqual(a, b)
    // and sampling with the same seed repeats too
    assert.deepEqual(feed(learnedSchedule(ctl, {initialLr: 1e-3, steps: 100, rng: seededRng(4)}), 100), feed(learnedSchedule(loaded, {initialLr: 1e-3, steps: 100, rng: seededRng(4)}), 100))
  })

  it('a damaged controller file is an input error naming the file and field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lrgate-ctl-')), 'bad.json')
    saveController(file, {...newController({seed: 1, minLr: 1e-5, maxLr: 1e-2, decisionEvery: 5}), decisionEvery: 0})
    assert.throws(() => loadController(file), /bad\.json: field "decisionEvery"/)
  })
})
