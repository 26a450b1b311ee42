import assert from 'node:assert/strict'
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {readModelDir} from '../../src/model/model-files.js'
import {modelTokenizerIdentity} from '../../src/model/tokenizer-id.js'

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'models', 'example-base-v1')

describe('model folder JSON goes through the one JSON reader', () => {
  it('accepts model.json, config.json and tokenizer.json saved with a byte-order mark (as Windows editors write them)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-bom-model-'))
    try {
      cpSync(FIXTURE, dir, {recursive: true})
      rmSync(join(dir, 'checksums.json'), {force: true}) // edited files: the folder is no longer lrgate's verbatim output
      const plain = readModelDir(FIXTURE)
      for (const file of ['model.json', 'config.json', 'tokenizer.json']) writeFileSync(join(dir, file), `\uFEFF${readFileSync(join(dir, file), 'utf8')}`)
      const withBom = readModelDir(dir)
      assert.deepEqual(withBom.config, plain.config)
      assert.equal(withBom.tokenizer.size, plain.tokenizer.size)
      assert.equal(modelTokenizerIdentity(dir), modelTokenizerIdentity(FIXTURE))
      assert.notEqual(modelTokenizerIdentity(dir), undefined)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
