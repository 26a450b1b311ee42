import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {syntheticOutputs, writeOutputs, writeSyntheticDataset} from '../fixtures/eval/synthetic.js'
import {type Mount, mountTmpfs, readOnlyCapable} from '../fixtures/store/mounts.js'
import {sweepFixture} from '../fixtures/sweep/workplace.js'

const mounts: Mount[] = []
after(() => mounts.forEach((m) => m.remove()))

function mount(t: {skip: (why: string) => void}, bytes: number, make: (bytes: number) => Mount | string = mountTmpfs): Mount | null {
  const m = make(bytes)
  if (typeof m === 'string') {
    t.skip(m)
    return null
  }
  mounts.push(m)
  return m
}

/** Every folder and file under `dir`, relative. */
function tree(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'}).sort()
}

describe('storage faults: one sentence, nothing left behind, nothing created', () => {
  before(() => buildIfStale())

  it('read-only commands never create a database or folder that does not exist', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ro-'))
    const list = lrgate(['runs', 'list', '--db', 'typo/lrgate.db'], {cwd})
    assert.equal(list.status, 2)
    assert.match(list.stderr, /^lrgate: \S+typo\/lrgate\.db: no database there/m)
    for (const args of [['runs', 'show', '1'], ['report', 'latest'], ['datasets', 'list'], ['datasets', 'verify', 'example-eval@1'], ['schedule', '--type', 'cosine', '--lr', '1e-3', '--steps', '10']]) {
      lrgate([...args, '--db', 'typo/lrgate.db'], {cwd})
    }
    assert.deepEqual(tree(cwd), [], 'nothing was created')
  })

  it('a database on a read-only mount: runs, report and datasets verify work; check prints its verdict, says it could not store it, keeps its exit code', (t) => {
    const m = mount(t, 16 * 1024 * 1024, readOnlyCapable)
    if (!m) return
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ro-'))
    const {records} = writeSyntheticDataset(join(cwd, 'datasets'), {perCohort: 30, textCohort: true})
    writeOutputs(join(cwd, 'base.jsonl'), syntheticOutputs(records, {seed: 1, nllPerToken: 1.9}))
    writeOutputs(join(cwd, 'regressed.jsonl'), syntheticOutputs(records, {seed: 1, nllPerToken: 1.9, oodReplaced: 0.3}))
    const db = join(m.dir, 'ci', 'lrgate.db')
    const run = (...args: string[]) => lrgate([...args, '--db', db], {cwd})
    assert.equal(run('eval', '--outputs', 'base.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'base-model').status, 0)
    assert.equal(run('eval', '--outputs', 'regressed.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'regressed').status, 0)
    const writable = run('check', '--candidate', 'regressed', '--baseline', 'base-model', '--json')
    assert.equal(writable.status, 1, writable.stderr)
    m.readOnly()
    assert.throws(() => writeFileSync(join(m.dir, 'ci', 'probe'), 'x'), new RegExp(m.refusal), 'the OS refuses writes there')
    assert.throws(() => new Database(db).exec('CREATE TABLE probe (x)'), /unable to open|readonly|read-only/i)

    const list = run('runs', 'list', '--json')
    assert.equal(list.status, 0, list.stderr)
    assert.deepEqual((JSON.parse(list.stdout) as {evaluations: {label: string}[]}).evaluations.map((e) => e.label).sort(), ['base-model', 'regressed'])
    assert.equal(run('datasets', 'verify', 'synthetic-eval@1').status, 0)
    const check = run('check', '--candidate', 'regressed', '--baseline', 'base-model', '--json')
    assert.equal(check.status, 1, check.stderr)
    assert.equal((JSON.parse(check.stdout) as {verdict: string}).verdict, 'fail')
    assert.match(check.stderr, /^lrgate: the decision was not stored: \S+lrgate\.db: the (database|file system) is read-only/m)
    const pass = run('check', '--candidate', 'base-model', '--baseline', 'base-model')
    assert.equal(pass.status, 0, pass.stderr)
    assert.match(pass.stdout, /pass/i)
    // Writing commands say what is wrong in one sentence.
    const evalRo = run('eval', '--outputs', 'base.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'again')
    assert.equal(evalRo.status, 2)
    assert.match(evalRo.stderr, /^lrgate: \S+: (the file system is read-only|the database is read-only|cannot open the database file)[^\n]*\n$/)
    assert.doesNotMatch(evalRo.stderr, /at .*\.js:\d+/, 'no stack trace')
  })

  it('a sweep on a nearly full disk: one sentence with the path and "no space left", no checkpoint.tmp-* left, run resumable', (t) => {
    const m = mount(t, 6 * 1024 * 1024)
    if (!m) return
    assert.throws(() => writeFileSync(join(m.dir, 'probe'), Buffer.alloc(7 * 1024 * 1024)), /ENOSPC/, 'the OS refuses the write')
    const {cwd} = sweepFixture({sweep: {lrs: [1e-4], steps: 8, batchSize: 4, parallel: 1, valEvery: 4, checkpointEvery: 2}})
    const db = join(m.dir, 'lrgate.db')
    writeFileSync(join(m.dir, 'probe'), '') // free the space again
    const full = lrgate(['sweep', '--db', db], {cwd})
    assert.equal(full.status, 2, full.stderr)
    assert.match(full.stderr, /^lrgate: \S+: no space left on the device[^\n]*; the run is kept: continue it with lrgate sweep --resume 1\b[^\n]*\.$/m)
    assert.doesNotMatch(full.stderr, /^\s+at /m, 'no stack trace')
    assert.deepEqual(tree(m.dir).filter((f) => /\.tmp-\d+/.test(f)), [], 'no temporary folder left')
    const status = new Database(db, {readonly: true}).prepare('SELECT status FROM runs WHERE id = 1').pluck().get()
    assert.ok(status === 'interrupted' || status === 'running', String(status))
    // With space again, --resume finishes the run.
    m.resize(128 * 1024 * 1024)
    const resumed = lrgate(['sweep', '--resume', '1', '--json', '--db', db], {cwd})
    assert.equal(resumed.status, 0, resumed.stderr)
    assert.equal((JSON.parse(resumed.stdout) as {candidates: {status: string}[]}).candidates[0].status, 'completed')
    assert.ok(existsSync(db))
    void cpSync
  })
})
