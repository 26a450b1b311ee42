import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'

const run = (cwd: string, ...args: string[]) => lrgate(['datasets', ...args, '--db', join(cwd, 'db.sqlite')], {cwd})

describe('lrgate datasets create', () => {
  before(() => buildIfStale())

  it('a CSV with a cohort column and an id column becomes a version folder that verify accepts and eval reads', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ds-create-'))
    writeFileSync(
      join(cwd, 'tickets.csv'),
      ['ticket_id,segment,input,reference,priority', 't1,target:billing,"Q: refund, please?\nA:",refund issued,high', 't2,ood:shipping,Q: where is it?,in transit,low', 't3,target:billing,Q: invoice?,sent again,'].join('\n') + '\n',
    )
    const r = run(cwd, 'create', 'tickets.csv', '--name', 'tickets', '--version', '1', '--cohort-column', 'segment', '--id-column', 'ticket_id', '--json')
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {schemaVersion: number; ref: string; records: number; cohorts: Record<string, {role: string; records: number}>; files: Record<string, string>}
    assert.equal(out.ref, 'tickets@1')
    assert.equal(out.records, 3)
    assert.deepEqual(out.cohorts, {'target:billing': {role: 'target', records: 2}, 'ood:shipping': {role: 'ood', records: 1}})
    const dir = join(cwd, 'datasets', 'tickets', '1')
    const lines = readFileSync(join(dir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepEqual(lines[0], {id: 't1', cohort: 'target:billing', input: 'Q: refund, please?\nA:', reference: 'refund issued', meta: {priority: 'high'}})
    assert.deepEqual(lines[2], {id: 't3', cohort: 'target:billing', input: 'Q: invoice?', reference: 'sent again'})
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {files: Record<string, string>; cohorts: Record<string, {role: string}>}
    assert.deepEqual(manifest.files, out.files)
    assert.equal(manifest.cohorts['ood:shipping'].role, 'ood')
    const verify = run(cwd, 'verify', 'tickets@1')
    assert.equal(verify.status, 0, verify.stderr)
    assert.match(verify.stdout, /^OK tickets@1 .*1 file matches the manifest, 3 records valid/m)
    // a version is immutable
    const again = run(cwd, 'create', 'tickets.csv', '--name', 'tickets', '--version', '1', '--cohort-column', 'segment', '--id-column', 'ticket_id')
    assert.equal(again.status, 2)
    assert.match(again.stderr, /datasets\/tickets\/1 already exists; dataset versions are immutable: choose another --version/)
  })

  it('JSONL with a cohort rule of fields; ids made from line numbers when the file has none', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ds-create-'))
    writeFileSync(join(cwd, 'notes.jsonl'), [{topic: 'news', text: 'A plain paragraph.'}, {topic: 'fiction', text: 'Once upon a time.'}].map((o) => JSON.stringify(o)).join('\n') + '\n')
    const r = run(cwd, 'create', 'notes.jsonl', '--name', 'notes', '--version', 'v1', '--cohort', 'ood:brown-{topic}', '--out', 'data')
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /^wrote data\/notes\/v1: 2 records in 2 cohorts: ood:brown-news \(ood, 1\), ood:brown-fiction \(ood, 1\); hash [0-9a-f]{12}$/m)
    const lines = readFileSync(join(cwd, 'data', 'notes', 'v1', 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {id: string; cohort: string; meta?: unknown})
    assert.deepEqual(lines.map((l) => [l.id, l.cohort, l.meta]), [['notes-00001', 'ood:brown-news', {topic: 'news'}], ['notes-00002', 'ood:brown-fiction', {topic: 'fiction'}]])
  })

  it('refuses bad rows with exit 2 naming file, line and field, and writes nothing', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-ds-create-'))
    const cases: Array<[string, string, string[], RegExp]> = [
      ['a.jsonl', '{"id":"1","cohort":"target:x","input":"q","reference":"a"}\n{"id":"2","input":"q","reference":"a"}\n', [], /^lrgate: a\.jsonl:2: field "cohort": missing; give each record a cohort/],
      ['b.jsonl', '{"id":"1","cohort":"target:x","input":"q","reference":"a"}\n{"id":"1","cohort":"target:x","input":"q","reference":"a"}\n', [], /^lrgate: b\.jsonl:2: field "id": "1" is already used at b\.jsonl:1/],
      ['c.jsonl', '{"id":"1","cohort":"target:x","input":"q"}\n', [], /^lrgate: c\.jsonl:1: field "reference": missing; a record needs "input" and "reference"/],
      ['d.csv', 'id,cohort,text\n1,target:x,hello\n2,target:x\n', [], /^lrgate: d\.csv:3: 2 fields, but the header row names 3/],
      ['e.jsonl', '{"id":"1","text":"t"}\n', ['--cohort', 'ood:{topic}'], /^lrgate: e\.jsonl:1: field "topic": missing; the --cohort rule "ood:\{topic\}" needs it/],
      ['f.txt', 'hello\n', [], /^lrgate: f\.txt: not a \.jsonl or \.csv file/],
    ]
    for (const [file, text, extra, message] of cases) {
      writeFileSync(join(cwd, file), text)
      const r = run(cwd, 'create', file, '--name', 'bad', '--version', '1', ...extra)
      assert.equal(r.status, 2, `${file}: ${r.stderr}`)
      assert.match(r.stderr, message)
    }
    assert.equal(existsSync(join(cwd, 'datasets')), false, 'nothing written')
  })
})
