import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {loadDataset} from '../../src/datasets/load.js'
import {InputError} from '../../src/errors.js'
import {copyFixture, FIXTURE_ROOT, readManifestJson, replaceLine, rewriteFile, writeManifestJson} from './helpers.js'

/** Loading the copy `d` (with cwd = its temp folder, so messages say `d/...`) fails with exactly `message`. */
async function failsWith(cwd: string, message: string | RegExp): Promise<void> {
  await assert.rejects(loadDataset('d', {cwd}), (err: unknown) => {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`)
    if (typeof message === 'string') assert.equal(err.message, message)
    else assert.match(err.message, message)
    return true
  })
}

const FIX_LINE = 'fix the line.'

describe('loadDataset: a valid dataset', () => {
  it('returns records in file order (sorted names) then line order, with the manifest and the hash', async () => {
    const ds = await loadDataset('tiny-eval@1', {cwd: FIXTURE_ROOT})
    assert.equal(ds.ref, 'tiny-eval@1')
    assert.deepEqual(
      ds.records.map((r) => r.id),
      ['food-1', 'food-2', 'animal-1', 'prose-1'],
    )
    assert.equal(ds.records[1].context, 'crescent roll, croissant')
    assert.deepEqual(ds.records[1].meta, {synset: 'n07707395'})
    assert.equal(ds.records[3].text?.startsWith('The Fulton County Grand Jury'), true)
    const lines = Object.entries(ds.manifest.files)
      .map(([f, h]) => `${f}:${h}\n`)
      .sort()
      .join('')
    assert.equal(ds.hash, createHash('sha256').update(lines).digest('hex'))
    assert.equal(ds.hash, '5c8c53c1a325b117e7a64af06be39aee458949a62313ef1fe8a29c9bf217d712')
  })

  it('accepts CRLF line ends and blank lines, which still count for line numbers', async () => {
    const {cwd, dir} = copyFixture()
    rewriteFile(dir, 'prose.jsonl', '\r\n{"id":"p1","cohort":"ood:prose","text":"one"}\r\n\r\n{"id":"p2","cohort":"ood:prose","text":"two"}\r\n')
    const ds = await loadDataset('d', {cwd})
    assert.deepEqual(
      ds.records.slice(3).map((r) => r.text),
      ['one', 'two'],
    )
    replaceLine(dir, 'prose.jsonl', 4, '{"id":"p2","cohort":"ood:prose"}\r')
    await failsWith(cwd, 'd/prose.jsonl:4: field "text": missing; a record needs "input" and "reference" (question→answer) or "text" (perplexity only).')
  })
})

describe('loadDataset: every line error names file:line:field', () => {
  it('a malformed line', async () => {
    const {cwd, dir} = copyFixture()
    replaceLine(dir, 'definitions.jsonl', 2, '{"id":"food-2","cohort":')
    await failsWith(cwd, /^d\/definitions\.jsonl:2: not valid JSON \(.+\); each line must be one JSON object\.$/)
  })

  it('a line that is JSON but not an object', async () => {
    const {cwd, dir} = copyFixture()
    replaceLine(dir, 'definitions.jsonl', 3, '["animal-1"]')
    await failsWith(cwd, 'd/definitions.jsonl:3: expected a JSON object, got an array; each line must be one record object.')
  })

  it('a missing field', async () => {
    const {cwd, dir} = copyFixture()
    replaceLine(dir, 'definitions.jsonl', 1, '{"id":"food-1","input":"Q: what is a baguette?\\nA:","reference":"narrow French stick loaf"}')
    await failsWith(cwd, `d/definitions.jsonl:1: field "cohort": missing; it is required (a string); ${FIX_LINE}`)
  })

  it('a mistyped field', async () => {
    const {cwd, dir} = copyFixture()
    replaceLine(dir, 'definitions.jsonl', 2, '{"id":7,"cohort":"target:food","input":"Q","reference":"R"}')
    await failsWith(cwd, `d/definitions.jsonl:2: field "id": expected a string, got number 7; ${FIX_LINE}`)
    replaceLine(dir, 'definitions.jsonl', 2, '{"id":"x","cohort":"target:food","input":"Q","reference":"R","meta":"n07707395"}')
    await failsWith(cwd, `d/definitions.jsonl:2: field "meta": expected an object, got the string "n07707395"; ${FIX_LINE}`)
    replaceLine(dir, 'definitions.jsonl', 2, '{"id":"x","cohort":"target:food","input":"Q","reference":""}')
    await failsWith(cwd, `d/definitions.jsonl:2: field "reference": must not be empty; ${FIX_LINE}`)
  })

  it('an unknown (misspelt) field', async () => {
    const {cwd, dir} = copyFixture()
    replaceLine(dir, 'definitions.jsonl', 1, '{"id":"food-1","cohort":"target:food","input":"Q","refrence":"R"}')
    await failsWith(cwd, 'd/definitions.jsonl:1: field "refrence": unknown field; the record fields are id, cohort, input, reference, context, text and meta.')
  })

  it('a duplicate id, across files', async () => {
    const {cwd, dir} = copyFixture()
    replaceLine(dir, 'prose.jsonl', 1, '{"id":"food-2","cohort":"ood:prose","text":"Some text."}')
    await failsWith(cwd, 'd/prose.jsonl:1: field "id": "food-2" is already used at d/definitions.jsonl:2; ids must be unique within a dataset version.')
  })

  it('a cohort the manifest does not declare', async () => {
    const {cwd, dir} = copyFixture()
    replaceLine(dir, 'definitions.jsonl', 3, '{"id":"animal-1","cohort":"ood:animals","input":"Q","reference":"R"}')
    await failsWith(
      cwd,
      'd/definitions.jsonl:3: field "cohort": "ood:animals" is not declared in the manifest\'s cohorts ("target:food", "ood:animal", "ood:prose"); declare it or fix the record.',
    )
  })

  it('a record with neither input+reference nor text', async () => {
    const {cwd, dir} = copyFixture()
    replaceLine(dir, 'definitions.jsonl', 1, '{"id":"food-1","cohort":"target:food"}')
    await failsWith(cwd, 'd/definitions.jsonl:1: field "text": missing; a record needs "input" and "reference" (question→answer) or "text" (perplexity only).')
    replaceLine(dir, 'definitions.jsonl', 1, '{"id":"food-1","cohort":"target:food","input":"Q: what is a baguette?\\nA:"}')
    await failsWith(cwd, 'd/definitions.jsonl:1: field "reference": missing; a record needs "input" and "reference" (question→answer) or "text" (perplexity only).')
    replaceLine(dir, 'definitions.jsonl', 1, '{"id":"food-1","cohort":"target:food","reference":"narrow French stick loaf"}')
    await failsWith(cwd, 'd/definitions.jsonl:1: field "input": missing; a record needs "input" and "reference" (question→answer) or "text" (perplexity only).')
  })

  it('an empty file (or only blank lines)', async () => {
    const {cwd, dir} = copyFixture()
    rewriteFile(dir, 'prose.jsonl', '')
    await failsWith(cwd, "d/prose.jsonl: the file has no records; add records or remove it from the manifest's files.")
    rewriteFile(dir, 'prose.jsonl', '\n  \n')
    await failsWith(cwd, "d/prose.jsonl: the file has no records; add records or remove it from the manifest's files.")
  })
})

describe('loadDataset: the manifest', () => {
  it('missing', async () => {
    const {cwd, dir} = copyFixture()
    rmSync(join(dir, 'manifest.json'))
    await failsWith(cwd, 'd/manifest.json: manifest missing; a dataset folder needs a manifest.json (see docs/datasets.md for the format).')
  })

  it('not JSON', async () => {
    const {cwd, dir} = copyFixture()
    writeFileSync(join(dir, 'manifest.json'), '{"name": ')
    await failsWith(cwd, /^d\/manifest\.json: not valid JSON \(.+\); fix the manifest\.$/)
  })

  it('incomplete: each required field', async () => {
    for (const field of ['name', 'version', 'description', 'license', 'source', 'cohorts', 'files']) {
      const {cwd, dir} = copyFixture()
      const manifest = readManifestJson(dir)
      delete manifest[field]
      writeManifestJson(dir, manifest)
      const expected = field === 'cohorts' || field === 'files' ? 'an object' : 'a string'
      await failsWith(cwd, `d/manifest.json: field "${field}": missing; it is required (${expected}); fix the manifest.`)
    }
  })

  it('a cohort without a valid role, no cohorts, no files, a malformed sha256', async () => {
    const {cwd, dir} = copyFixture()
    const good = readManifestJson(dir)
    writeManifestJson(dir, {...good, cohorts: {...(good.cohorts as object), 'ood:animal': {role: 'out', description: 'x'}}})
    await failsWith(cwd, 'd/manifest.json: field "cohorts.ood:animal.role": must be one of "target", "ood", "other", got the string "out"; fix the manifest.')
    writeManifestJson(dir, {...good, cohorts: {'ood animal': {role: 'ood', description: 'x'}}})
    await failsWith(cwd, 'd/manifest.json: field "cohorts.ood animal": cohort names may not contain whitespace, "*" or "?"; fix the manifest.')
    writeManifestJson(dir, {...good, version: 1})
    await failsWith(cwd, 'd/manifest.json: field "version": expected a string, got number 1; fix the manifest.')
    writeManifestJson(dir, {...good, cohorts: {}})
    await failsWith(cwd, 'd/manifest.json: field "cohorts": declare at least one cohort; fix the manifest.')
    writeManifestJson(dir, {...good, files: {}})
    await failsWith(cwd, 'd/manifest.json: field "files": list at least one .jsonl file; fix the manifest.')
    writeManifestJson(dir, {...good, files: {...good.files, 'prose.jsonl': 'abc'}})
    await failsWith(cwd, 'd/manifest.json: field "files.prose.jsonl": must be the 64-hex-digit lowercase sha256 of the file; fix the manifest.')
  })

  it('a listed file that does not exist, and a .jsonl file it does not list', async () => {
    const {cwd, dir} = copyFixture()
    rmSync(join(dir, 'prose.jsonl'))
    await failsWith(cwd, 'd/manifest.json: field "files.prose.jsonl": the file does not exist in d; add it or remove it from the manifest.')
    const other = copyFixture()
    mkdirSync(join(other.dir, 'extra'))
    writeFileSync(join(other.dir, 'extra', 'more.jsonl'), '{"id":"m","cohort":"ood:prose","text":"x"}\n')
    await failsWith(other.cwd, 'd/manifest.json: field "files": extra/more.jsonl is in the dataset folder but not in the manifest; add it with its sha256 or move it out.')
  })

  it('a name@version whose manifest says another name or version', async () => {
    const {cwd, dir} = copyFixture()
    mkdirSync(join(cwd, 'datasets', 'tiny-eval'), {recursive: true})
    const manifest = readManifestJson(dir)
    writeManifestJson(dir, {...manifest, version: '2'})
    renameSync(dir, join(cwd, 'datasets', 'tiny-eval', '1'))
    await assert.rejects(
      loadDataset('tiny-eval@1', {cwd}),
      new InputError('datasets/tiny-eval/1/manifest.json: field "version": is "2" but the folder is tiny-eval@1; make the folder name and the manifest agree.'),
    )
  })
})

describe('loadDataset: file hashes', () => {
  it('a changed byte → InputError naming the file and pointing at `lrgate datasets verify`', async () => {
    const {cwd, dir} = copyFixture()
    writeFileSync(join(dir, 'prose.jsonl'), '{"id":"prose-1","cohort":"ood:prose","text":"The Fulton County Grand Jury said Saturday."}\n')
    const expected = readManifestJson(dir).files['prose.jsonl']
    await failsWith(
      cwd,
      new RegExp(
        `^d/prose\\.jsonl: sha256 is [0-9a-f]{64} but the manifest says ${expected}; the file changed after tiny-eval@1 was made — run \`lrgate datasets verify d\`, then restore the file or publish the change as a new version\\.$`,
      ),
    )
  })
})
