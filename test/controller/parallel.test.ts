import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {DEFAULT_CONFIG} from '../../src/config/defaults.js'
import {EpisodePool} from '../../src/controller/episode-pool.js'
import {type ControllerTrainingOptions, trainController} from '../../src/controller/train-controller.js'
import type {DatasetRecord} from '../../src/datasets/types.js'
import {resolveModelRef} from '../../src/model/reference.js'
import {ROOT} from '../fixtures/eval/cli.js'

const records = readFileSync(join(ROOT, 'datasets', 'example-eval', '1', 'eval.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DatasetRecord)
const cut = (cohort: string, n: number) => records.filter((r) => r.cohort === cohort).slice(0, n)

/** Two tiny source tasks (artifact and person definitions, not food), 4 episodes of 6 steps, 2 per PPO update. */
function options(): ControllerTrainingOptions {
  const task = (cohort: string) => {
    const rows = cut(cohort, 24)
    return {name: cohort, train: rows.slice(4), valid: rows.slice(0, 4)}
  }
  return {
    baseModel: resolveModelRef('example', ROOT, '--base'), tasks: [task('ood:artifact'), task('ood:person')], probe: cut('ood:animal', 6),
    episodes: 4, steps: 6, batchSize: 2, initialLr: 1e-3, minLr: 1e-4, maxLr: 1e-2, decisionEvery: 2, forgettingWeight: 1, seed: 11,
    optimizer: DEFAULT_CONFIG.sweep.optimizer, clipNorm: 1, episodesPerUpdate: 2,
    ppo: {clip: 0.2, lr: 3e-3, epochs: 4, gamma: 0.99, lambda: 0.95, entropy: {start: 0.02, end: 0.002}, valueWeight: 0.5},
  }
}

describe('controller training: parallel episodes', {timeout: 600_000}, () => {
  it('two worker processes give the same controller, returns and episodes as one process', async () => {
    await initBackend('auto', {threads: 1})
    const seen: number[] = []
    const sequential = await trainController({...options(), onBatch: (b) => seen.push(...b.map((e) => e.episode))})
    const pool = new EpisodePool(2, 'auto', 1)
    let parallel
    const order: number[] = []
    try {
      parallel = await trainController({...options(), runner: pool.run, onBatch: (b) => order.push(...b.map((e) => e.episode))})
    } finally {
      await pool.close()
    }
    assert.deepEqual(seen, [0, 1, 2, 3])
    assert.deepEqual(order, [0, 1, 2, 3], 'outcomes are gathered in episode order')
    assert.equal(sequential.returns.length, 4)
    assert.ok(sequential.returns.every(Number.isFinite))
    assert.deepEqual(parallel.returns, sequential.returns)
    assert.deepEqual(parallel.controller.actor, sequential.controller.actor)
    assert.deepEqual(parallel.controller.critic, sequential.controller.critic)
    // PPO moved the weights: the comparison is not between two untouched initialisations
    const untouched = await trainController({...options(), episodes: 0})
    assert.notDeepEqual(sequential.controller.actor, untouched.controller.actor)
  })
})
