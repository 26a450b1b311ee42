import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {buildIfStale, lrgate, ROOT} from '../fixtures/eval/cli.js'
import {sweepFixture, writeDataset} from '../fixtures/sweep/workplace.js'
import type {DatasetRecord} from '../../src/datasets/types.js'
import {initBackend} from '../../src/compute/backend.js'
import {loadDataset} from '../../src/datasets/load.js'
import {loadModel} from '../../src/model/io.js'
import {splitTraining} from '../../src/sweep/training-data.js'
import {buildTokenStream, trainingBatch} from '../../src/train/token-stream.js'
import {deriveSeed} from '../../src/util/rng.js'

// Debian's python3-torch (CI installs it, see .ci/run); the first python3 on PATH may be another.
const PYTHON = '/usr/bin/python3'
const EXAMPLE = join(ROOT, 'examples', 'pytorch-trainer')
const BASE = join(ROOT, 'models', 'example-base')
const tools = (...args: string[]) => execFileSync(PYTHON, [join(EXAMPLE, 'tools.py'), ...args], {encoding: 'utf8', maxBuffer: 1 << 28})

describe('examples/pytorch-trainer', () => {
  before(() => {
    buildIfStale()
    execFileSync(PYTHON, ['-c', 'import torch'], {stdio: 'inherit'}) // fails loudly without python3-torch
  })

  it('samples the same batches as lrgate and gives the same logits (within 1e-4)', async () => {
    await initBackend('auto')
    const {model, tokenizer} = loadModel(BASE)
    // food-train@1 has a valid: cohort; example-eval@2 has none (a seeded 5% is held out) and grounded records (context).
    for (const ref of ['example-eval@2', 'food-train@1']) {
      const dataset = await loadDataset(ref, {cwd: ROOT})
      const stream = buildTokenStream(splitTraining(dataset, 1234).train, tokenizer)
      const batch = trainingBatch(stream, 8, model.config.contextLength, deriveSeed(1234, 'batches'), 7)
      const theirs = JSON.parse(tools('batch', dataset.dir, BASE, '1234', '7', '8')) as {tokens: number[][]; targets: number[][]; weights: number[][]}
      assert.deepEqual(theirs.tokens.flat(), [...batch.tokens], ref)
      assert.deepEqual(theirs.targets.flat(), [...batch.targets!], ref)
      assert.deepEqual(theirs.weights.flat(), [...batch.weights!], ref)
    }
    const dataset = await loadDataset('food-train@1', {cwd: ROOT})
    const batch = trainingBatch(buildTokenStream(splitTraining(dataset, 1234).train, tokenizer), 2, model.config.contextLength, deriveSeed(1234, 'batches'), 7)

    const T = model.config.contextLength
    const rows = (a: Int32Array) => [Array.from(a.slice(0, T)), Array.from(a.slice(T))]
    const file = join(mkdtempSync(join(tmpdir(), 'lrgate-torch-')), 'batch.json')
    writeFileSync(file, JSON.stringify({tokens: rows(batch.tokens), positions: rows(batch.positions)}))
    const ours = model.logits(batch).arraySync() as number[][]
    const torch = (JSON.parse(tools('logits', BASE, file)) as {logits: number[][]}).logits
    let max = 0
    for (let i = 0; i < ours.length; i++) for (let j = 0; j < ours[i].length; j++) max = Math.max(max, Math.abs(ours[i][j] - torch[i][j]))
    assert.equal(torch.length, 2 * T)
    assert.ok(max < 1e-4, `largest logit difference ${max}`)
    model.dispose()
  })

  it('a 0-step load → save reproduces weights.bin bit for bit', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lrgate-torch-')), 'resaved')
    tools('resave', BASE, out)
    assert.ok(readFileSync(join(out, 'weights.bin')).equals(readFileSync(join(BASE, 'weights.bin'))))
    for (const file of ['model.json', 'config.json', 'tokenizer.json']) assert.ok(readFileSync(join(out, file)).equals(readFileSync(join(BASE, file))), file)
    // checksums.json (lrgate verifies it on load): the sha256 of every other file
    const sums = JSON.parse(readFileSync(join(out, 'checksums.json'), 'utf8')) as {algorithm: string; files: Record<string, string>}
    assert.equal(sums.algorithm, 'sha256')
    assert.deepEqual(Object.keys(sums.files), ['config.json', 'model.json', 'tokenizer.json', 'weights.bin'])
    for (const [file, hash] of Object.entries(sums.files)) assert.equal(createHash('sha256').update(readFileSync(join(out, file))).digest('hex'), hash, file)
  })

  it('fine-tunes candidates in a sweep end to end, step for step like the built-in engine', () => {
    // The steps are compared; the evaluation only has to run, so on a few records of each cohort (CI time).
    const {cwd, db} = sweepFixture({datasets: {train: 'tiny-train@1', eval: 'micro-eval@1'}, sweep: {lrs: [1e-3], steps: 4, batchSize: 4, parallel: 1, valEvery: 2, checkpointEvery: 2}})
    const tinyEval = join(cwd, 'datasets', 'tiny-eval', '1')
    const lines = (file: string) => readFileSync(join(tinyEval, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DatasetRecord)
    const few = (records: DatasetRecord[]) => [...new Set(records.map((r) => r.cohort))].flatMap((c) => records.filter((r) => r.cohort === c).slice(0, 2))
    const manifest = JSON.parse(readFileSync(join(tinyEval, 'manifest.json'), 'utf8')) as {cohorts: Record<string, {role: 'target' | 'ood' | 'other'}>}
    writeDataset(cwd, 'micro-eval', '1', {'eval.jsonl': few(lines('eval.jsonl')), 'text.jsonl': few(lines('text.jsonl'))}, Object.fromEntries(Object.entries(manifest.cohorts).map(([c, v]) => [c, v.role])))
    const torch = lrgate(['sweep', '--json', '--db', db, '--name', 'torch', '--trainer', `${PYTHON} ${join(EXAMPLE, 'train.py')} --config {config}`], {cwd})
    assert.equal(torch.status, 0, torch.stderr)
    assert.equal((JSON.parse(torch.stdout) as {candidates: Array<{status: string}>}).candidates[0].status, 'completed')
    const builtin = lrgate(['sweep', '--json', '--db', db, '--name', 'builtin'], {cwd})
    assert.equal(builtin.status, 0, builtin.stderr)
    const d = new Database(db, {readonly: true})
    const steps = (name: string) =>
      d.prepare('SELECT s.step, s.lr, s.loss, s.grad_norm AS gradNorm, s.val_loss AS valLoss FROM train_steps s JOIN candidates c ON c.id = s.candidate_id JOIN runs r ON r.id = c.run_id WHERE r.name = ? ORDER BY s.step').all(name) as Array<Record<string, number | null>>
    const [a, b] = [steps('torch'), steps('builtin')]
    d.close()
    assert.equal(a.length, 4)
    for (let i = 0; i < 4; i++) {
      assert.equal(a[i].lr, b[i].lr)
      assert.ok(Math.abs(a[i].loss! - b[i].loss!) < 1e-4, `step ${i}: loss ${a[i].loss} vs ${b[i].loss}`)
      assert.ok(Math.abs(a[i].gradNorm! - b[i].gradNorm!) < 1e-3 * b[i].gradNorm!, `step ${i}: grad norm ${a[i].gradNorm} vs ${b[i].gradNorm}`)
    }
    assert.ok(Math.abs(a[3].valLoss! - b[3].valLoss!) < 1e-4)
  })
})
