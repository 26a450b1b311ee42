import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {loadDataset} from '../../src/datasets/load.js'
import {openStore} from '../../src/store/db.js'
import {recordDatasetUse} from '../../src/store/datasets.js'
import {FIXTURE, replaceLine} from './helpers.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Reports every tfjs module the process resolves, on stderr (datasets commands must load none). */
const TFJS_WATCH =
  'data:text/javascript,import {register} from "node:module"; register("data:text/javascript,export async function resolve(s,c,n){const r=await n(s,c); if(/tensorflow/.test(r.url)) process.stderr.write(\\"TFJS \\"+r.url+\\"\\\\n\\"); return r}")'

/** Runs `lrgate datasets …` in `cwd` with a scratch --db. */
function lrgate(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', TFJS_WATCH, join(root, 'bin/run.js'), 'datasets', ...args, '--db', join(cwd, 'db.sqlite')], {cwd, encoding: 'utf8'})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

describe('lrgate datasets (CLI)', () => {
  before(() => {
    // npm test builds first (pretest); when run alone, build once.
    if (!existsSync(join(root, 'dist/src/commands/datasets/verify.js'))) spawnSync('npm', ['run', 'build'], {cwd: root, stdio: 'inherit'})
  })

  it('list shows the shipped datasets with their cohorts by role, and a local one first', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ds-cli-'))
    cpSync(FIXTURE, join(cwd, 'datasets', 'tiny-eval', '1'), {recursive: true})
    const narrow = lrgate(cwd, 'list')
    assert.equal(narrow.code, 0, narrow.stderr)
    assert.ok(narrow.stdout.split('\n').every((l) => [...l].length <= 120), 'no line wider than 120 columns without a terminal')
    // --wide: cells unwrapped, one cohort per line
    const r = lrgate(cwd, 'list', '--wide')
    assert.equal(r.code, 0, r.stderr)
    assert.doesNotMatch(r.stderr, /TFJS/)
    const rows = r.stdout.split('\n')
    const first = (text: string) => rows.findIndex((l) => l.includes(text))
    assert.ok(first('tiny-eval@1') >= 0 && first('tiny-eval@1') < first('example-eval@1'))
    for (const text of ['food-train@1', 'example-eval@1', 'example-pretrain@1', 'target:food (130)', 'ood:verb-motion (130)', 'ood:brown-news (50)', 'valid:food', 'shipped', 'datasets/tiny-eval/1']) {
      assert.ok(first(text) >= 0, `missing ${text} in\n${r.stdout}`)
    }
    assert.equal(existsSync(join(cwd, 'db.sqlite')), false, 'list must not create the database')

    const json = lrgate(cwd, 'list', '--json')
    assert.equal(json.code, 0, json.stderr)
    const parsed = JSON.parse(json.stdout) as {schemaVersion: number; datasets: Array<{ref: string; source: string; records: number; hash: string; cohorts: Record<string, {role: string; records: number}>}>}
    assert.equal(parsed.schemaVersion, 1)
    const list = parsed.datasets
    assert.deepEqual(
      list.map((d) => `${d.ref} ${d.source}`),
      ['tiny-eval@1 local', 'example-eval@1 shipped', 'example-eval@2 shipped', 'example-pretrain@1 shipped', 'example-pretrain@2 shipped', 'food-train@1 shipped'],
    )
    assert.deepEqual(list[0].cohorts['ood:animal'], {role: 'ood', records: 1})
    assert.equal(list[0].hash, '5c8c53c1a325b117e7a64af06be39aee458949a62313ef1fe8a29c9bf217d712')
  })

  it('verify prints OK with the counts for an intact dataset', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ds-cli-'))
    const r = lrgate(cwd, 'verify', 'example-eval@1')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^OK example-eval@1 \(.+datasets\/example-eval\/1\): 1 file matches the manifest, 800 records valid$/m)
    assert.match(r.stdout, /target:food \(target\) 130/)
    assert.doesNotMatch(r.stderr, /TFJS/)
  })

  it('verify exits 2 naming the file when one byte of a copy was changed', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ds-cli-'))
    cpSync(FIXTURE, join(cwd, 'copy'), {recursive: true})
    const file = join(cwd, 'copy', 'definitions.jsonl')
    const bytes = readFileSync(file)
    bytes[bytes.indexOf('French')] = 'f'.charCodeAt(0)
    writeFileSync(file, bytes)
    const r = lrgate(cwd, 'verify', './copy')
    assert.equal(r.code, 2)
    assert.equal(r.stdout, '')
    assert.match(
      r.stderr,
      /^lrgate: copy\/definitions\.jsonl \(sha256 [0-9a-f]{64}, manifest 6fa554ad2c908625c269446e7cf0eedb5c3782df6f8bcf93bddb957f242845c3\): content does not match manifest\.json; restore the original file, or publish the change as a new version with updated hashes\.\n$/,
    )
  })

  it('verify exits 2 naming file:line:field for an invalid line', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ds-cli-'))
    const r = lrgate(cwd, 'verify', join(root, 'test/fixtures/datasets/broken/1'))
    assert.equal(r.code, 2)
    assert.match(r.stderr, /broken\/1\/eval\.jsonl:2: field "cohort": "ood:plants" is not declared in the manifest's cohorts \("target:food", "ood:animal"\); declare it or fix the record\.\n$/)
  })

  it('verify exits 2 when the database first saw this name@version with other content', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ds-cli-'))
    const dir = join(cwd, 'datasets', 'tiny-eval', '1')
    cpSync(FIXTURE, dir, {recursive: true})
    const db = openStore(join(cwd, 'db.sqlite'))
    recordDatasetUse(db, await loadDataset('tiny-eval@1', {cwd}))
    db.close()
    assert.equal(lrgate(cwd, 'verify', 'tiny-eval@1').code, 0)
    // Edited in place with the manifest's hash updated: the files agree, the store does not.
    replaceLine(dir, 'prose.jsonl', 1, '{"id":"prose-1","cohort":"ood:prose","text":"Edited after first use."}')
    const r = lrgate(cwd, 'verify', 'tiny-eval@1')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /^lrgate: dataset tiny-eval@1: its content hash is [0-9a-f]{64} but .*db\.sqlite recorded 5c8c53c1a325b117e7a64af06be39aee458949a62313ef1fe8a29c9bf217d712 when it was first used \(.+\); versions are immutable — give changed data a new version\.\n$/)
  })
})
