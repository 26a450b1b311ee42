import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {writeAdapterDir} from '../../src/model/adapter-files.js'
import {adapterShapes, type LoraSpec} from '../../src/model/lora.js'
import {readModelConfig} from '../../src/model/model-files.js'
import {seededRng} from '../../src/util/rng.js'
import {buildIfStale, lrgate, ROOT} from '../fixtures/eval/cli.js'
import {sweepFixture} from '../fixtures/sweep/workplace.js'

describe('a LoRA adapter folder as the sweep\'s base', () => {
  before(() => buildIfStale())

  it('sweeps from the merged model (written once beside the database), whose evaluation equals eval --model of the adapter', () => {
    const {cwd, db} = sweepFixture({sweep: {lrs: [1e-9], steps: 2, batchSize: 4, parallel: 1, valEvery: 2, checkpointEvery: 2}})
    const base = join(ROOT, 'models', 'example-base')
    const config = readModelConfig(base)
    const lora: LoraSpec = {rank: 2, alpha: 4, targets: ['attn'], dropout: 0}
    const rng = seededRng(3)
    // Non-zero A and B, so the merged model really differs from the base.
    const adapters = new Map(adapterShapes(config, lora).map(([name, [r, c]]) => [name, Float32Array.from({length: r * c}, () => (rng.next() - 0.5) * 0.2)]))
    const adapterDir = join(cwd, 'my-adapter')
    writeAdapterDir(adapterDir, {base, lora, config, adapters, dtype: 'float32'})

    const sweep = lrgate(['sweep', '--base', 'my-adapter', '--json', '--db', db], {cwd})
    assert.equal(sweep.status, 0, sweep.stderr)
    const d = new Database(db, {readonly: true})
    const run = d.prepare('SELECT base_model AS baseModel, base_evaluation_id AS baseEvaluationId FROM runs').get() as {baseModel: string; baseEvaluationId: number}
    assert.match(run.baseModel, /\/\.lrgate\/bases\/my-adapter-merged-[0-9a-f]{12}$/)
    const baseNll = d.prepare('SELECT record_id, nll FROM record_outputs WHERE evaluation_id = ? ORDER BY record_id').all(run.baseEvaluationId) as Array<{record_id: string; nll: number}>
    d.close()

    const direct = lrgate(['eval', '--model', 'my-adapter', '--label', 'adapter', '--json', '--db', db], {cwd})
    assert.equal(direct.status, 0, direct.stderr)
    const id = (JSON.parse(direct.stdout) as {evaluation: {id: number}}).evaluation.id
    const d2 = new Database(db, {readonly: true})
    const adapterNll = d2.prepare('SELECT record_id, nll FROM record_outputs WHERE evaluation_id = ? ORDER BY record_id').all(id) as Array<{record_id: string; nll: number}>
    const plainBase = d2.prepare("SELECT count(*) FROM evaluations WHERE model_dir = ?").pluck().get(base)
    d2.close()
    assert.deepEqual(adapterNll, baseNll, 'the merged folder scores exactly as the adapter does')
    assert.equal(plainBase, 0)
  })
})
