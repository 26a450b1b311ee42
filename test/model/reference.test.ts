import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {resolveModelRef} from '../../src/model/reference.js'
import {paths} from '../../src/paths.js'
import {messageOf} from '../fixtures/input-error.js'

describe('model references: the same for --base, --model and baseModel', () => {
  it('"example" is the shipped base model for every flag; an lrgate folder resolves against cwd', () => {
    for (const flag of ['--base', '--model']) assert.equal(resolveModelRef('example', '/', flag), join(paths.models(), 'example-base'))
    assert.equal(resolveModelRef('example-base', paths.models(), '--model'), join(paths.models(), 'example-base'))
  })

  it('a Hugging Face folder, a folder missing files and a missing folder each say what to give instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-model-ref-'))
    mkdirSync(join(dir, 'hf'))
    writeFileSync(join(dir, 'hf', 'config.json'), JSON.stringify({model_type: 'llama', architectures: ['LlamaForCausalLM']}))
    writeFileSync(join(dir, 'hf', 'model.safetensors'), '')
    assert.match(messageOf(() => resolveModelRef('hf', dir, '--model')), /^--model hf: this is a Hugging Face style model folder, which lrgate cannot load: .*docs\/models\.md.*"lrgate eval --outputs <file\.jsonl>"\.$/)
    mkdirSync(join(dir, 'half'))
    writeFileSync(join(dir, 'half', 'config.json'), '{}')
    assert.match(messageOf(() => resolveModelRef('half', dir, '--base')), /^--base half: not an lrgate model folder \(model\.json, weights\.bin, tokenizer\.json missing\); the format is in .*docs\/models\.md/)
    assert.match(messageOf(() => resolveModelRef('nope', dir, '--model')), /^--model nope: no such folder .*or "example" for the shipped example base model\.$/)
  })
})
