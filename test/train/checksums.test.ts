import assert from 'node:assert/strict'
import {cpSync, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {InputError} from '../../src/errors.js'
import {Gpt} from '../../src/model/gpt.js'
import {writeAdapterDir} from '../../src/model/adapter-files.js'
import {loadModel, saveModel} from '../../src/model/io.js'
import {adapterShapes, DEFAULT_LORA} from '../../src/model/lora.js'
import {loadCheckpoint, saveCheckpoint} from '../../src/train/checkpoint.js'
import {verifyChecksums} from '../../src/util/checksums.js'
import {buildIfStale, lrgate, ROOT} from '../fixtures/eval/cli.js'
import {tokenizer} from '../fixtures/train/tiny.js'

/** Overwrites `length` bytes at `offset` in place (the file keeps its size). */
function overwrite(file: string, offset: number, bytes: Buffer): void {
  const size = statSync(file).size
  const fd = openSync(file, 'r+')
  writeSync(fd, bytes, 0, bytes.length, offset)
  closeSync(fd)
  assert.equal(statSync(file).size, size)
}

const tiny = () => Gpt.init({vocabSize: tokenizer.size, contextLength: 16, dModel: 16, nLayers: 1, nHeads: 2, dropout: 0, tiedHead: true}, 1)

describe('checksums of model and checkpoint folders', () => {
  before(async () => {
    await initBackend('cpu')
  })

  it('a model folder lists every file with its sha256; a byte changed in place is exit-2 material naming the file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lrgate-sum-')), 'model')
    await saveModel(dir, tiny(), tokenizer)
    assert.ok(verifyChecksums(dir, 'x'))
    loadModel(dir).model.dispose()
    overwrite(join(dir, 'weights.bin'), 100, Buffer.alloc(64))
    assert.throws(() => loadModel(dir), (e: Error) => e instanceof InputError && /weights\.bin: sha256 does not match checksums\.json .*copy the model folder again/.test(e.message))
  })

  it('a checkpoint verifies its optimizer state and its model; the message says which file and what to do', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lrgate-sum-'))
    const model = tiny()
    const optimizer = {step: 3, m: new Map([...model.params].map(([k, v]) => [k, new Float32Array(v.size).fill(0.5)])), v: new Map()}
    await saveCheckpoint(join(root, 'checkpoint'), model, tokenizer, optimizer, 3)
    assert.equal(loadCheckpoint(join(root, 'checkpoint')).stepsDone, 3)
    const copy = join(root, 'copy')
    cpSync(join(root, 'checkpoint'), copy, {recursive: true})
    overwrite(join(root, 'checkpoint', 'optimizer.bin'), 0, Buffer.alloc(256))
    assert.throws(() => loadCheckpoint(join(root, 'checkpoint')), /optimizer\.bin: sha256 does not match .*delete the folder .*checkpoint to restart this candidate/)
    overwrite(join(copy, 'model', 'weights.bin'), 8, Buffer.from('corrupted'))
    assert.throws(() => loadCheckpoint(copy), /model\/weights\.bin: sha256 does not match .*delete the folder .*copy to restart/)
  })

  it('a LoRA adapter folder lists its files too; a changed adapter.bin is refused whichever way it is loaded', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lrgate-sum-'))
    const model = tiny()
    await saveModel(join(root, 'base'), model, tokenizer)
    const adapters = new Map(adapterShapes(model.config, DEFAULT_LORA).map(([name, [a, b]]) => [name, new Float32Array(a * b).fill(0.01)]))
    writeAdapterDir(join(root, 'adapter'), {base: join(root, 'base'), lora: DEFAULT_LORA, config: model.config, adapters, dtype: 'float16'})
    assert.ok(verifyChecksums(join(root, 'adapter'), 'x'))
    loadModel(join(root, 'adapter')).model.dispose()
    overwrite(join(root, 'adapter', 'adapter.bin'), 0, Buffer.from([0x7b, 0x7b]))
    assert.throws(() => loadModel(join(root, 'adapter')), (e: Error) => e instanceof InputError && /adapter\/adapter\.bin: sha256 does not match checksums\.json/.test(e.message))
  })

  it('a folder without checksums (written by another tool) loads with one "unverified" warning', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lrgate-sum-')), 'model')
    await saveModel(dir, tiny(), tokenizer)
    rmSync(join(dir, 'checksums.json'))
    const lines: string[] = []
    assert.equal(verifyChecksums(dir, 'x', (l) => lines.push(l)), false)
    assert.equal(verifyChecksums(dir, 'x', (l) => lines.push(l)), false)
    assert.deepEqual(lines, [`lrgate: warning: ${dir} has no checksums.json; loading it unverified.`])
  })

  it('eval --model of a model zeroed in 16 KB (same size) exits 2 naming the file', async () => {
    buildIfStale()
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-sum-'))
    const dir = join(cwd, 'model')
    cpSync(join(ROOT, 'models', 'example-base'), dir, {recursive: true})
    overwrite(join(dir, 'weights.bin'), 4096, Buffer.alloc(16 * 1024))
    const bad = lrgate(['eval', '--model', dir, '--dataset', join(ROOT, 'test', 'fixtures', 'datasets', 'datasets', 'tiny-eval', '1'), '--db', join(cwd, 'db.sqlite')], {cwd})
    assert.equal(bad.status, 2, bad.stderr)
    assert.match(bad.stderr, /^lrgate: .*model\/weights\.bin: sha256 does not match checksums\.json/m)
  })
})
