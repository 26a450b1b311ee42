import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import type {DatasetRecord} from '../../src/datasets/types.js'
import {loadController} from '../../src/schedule/learned/controller.js'
import {lrgate, ROOT} from '../fixtures/eval/cli.js'
import {sweepFixture, writeDataset} from '../fixtures/sweep/workplace.js'

/** A source task cut from the shipped eval set's artifact definitions (not food), with a valid: split. */
function task(cwd: string): string {
  const records = readFileSync(join(ROOT, 'datasets', 'example-eval', '1', 'eval.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DatasetRecord)
  const artifact = records.filter((r) => r.cohort === 'ood:artifact').slice(0, 30)
  const rows = artifact.map((r, i) => ({...r, cohort: i < 5 ? 'valid:artifact' : 'task:artifact'}))
  return writeDataset(cwd, 'task-artifact', '1', {'train.jsonl': rows}, {'task:artifact': 'target', 'valid:artifact': 'other'})
}

describe('lrgate controller train', {timeout: 300_000}, () => {
  it('trains a seeded controller on a source task and writes a file that sweep can load', () => {
    const {cwd} = sweepFixture()
    const dir = task(cwd)
    const args = ['controller', 'train', '--tasks', dir, '--probe', 'tiny-eval@1', '--episodes', '2', '--steps', '8', '--decision-every', '2', '--batch-size', '2', '--json', '--seed', '3']
    const r = lrgate([...args, '--out', 'a.json'], {cwd})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {episodes: number; returns: number[]}
    assert.equal(out.episodes, 2)
    assert.equal(out.returns.length, 2)
    assert.ok(out.returns.every(Number.isFinite))
    assert.match(r.stderr, /episode 1: .* return -?\d/)
    const c = loadController(join(cwd, 'a.json'))
    assert.equal(c.hidden, 32)
    assert.deepEqual(c.training?.returns, out.returns)

    // stored as a run of kind controller: every episode whole, and the file it wrote
    const out2 = out as unknown as {runId: number}
    const list = JSON.parse(lrgate(['runs', 'list', '--json'], {cwd}).stdout) as {runs: Array<{id: number; kind: string; status: string; name: string}>}
    const run = list.runs.find((r) => r.id === out2.runId)!
    assert.deepEqual([run.kind, run.status, run.name], ['controller', 'completed', `controller-${out2.runId}`])
    const shown = lrgate(['runs', 'show', String(out2.runId), '--json'], {cwd})
    assert.equal(shown.status, 0, shown.stderr)
    const detail = JSON.parse(shown.stdout) as {episodes: Array<{episode: number; return: number; lrs: number[]; rewards: number[]; decisions: Array<{lrBefore: number; lrAfter: number}>; valLosses: number[]}>; controller: {file: string; actor: number[]}}
    assert.deepEqual(detail.episodes.map((e) => e.episode), [0, 1])
    assert.deepEqual(detail.episodes.map((e) => e.return), out.returns)
    for (const e of detail.episodes) {
      assert.equal(e.lrs.length, 8)
      // a decision every 2 steps except at the end: 3 decisions, each setting the rate the next steps use
      assert.equal(e.decisions.length, 3)
      assert.equal(e.rewards.length, 3)
      assert.equal(e.valLosses.length, 5)
      e.decisions.forEach((d, k) => assert.equal(e.lrs[2 * (k + 1)], d.lrAfter))
    }
    assert.equal(detail.controller.file, join(cwd, 'a.json'))
    assert.deepEqual(detail.controller.actor, c.actor)
    const text = lrgate(['runs', 'show', String(out2.runId)], {cwd})
    assert.match(text.stdout, /run #\d+ controller/)
    assert.match(text.stdout, /mean return of the first 1 episode\(s\) -?\d\.\d{4}, of the last 1/)
  })

  it('a task holding the example target (food) is exit 2 naming it', () => {
    const {cwd} = sweepFixture()
    const r = lrgate(['controller', 'train', '--tasks', 'tiny-train@1', '--probe', 'tiny-eval@1', '--episodes', '1', '--out', 'x.json'], {cwd})
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--tasks tiny-train@1 holds target:food records/)
  })
})
