import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {hallucination, unsupportedRate} from '../../evaluators/hallucination.js'
import {jsonValid} from '../../evaluators/json-valid.js'
import {perplexity} from '../../evaluators/perplexity.js'
import {relevance, rougeL} from '../../evaluators/relevance.js'
import {withinThreshold} from '../../evaluators/threshold.js'
import type {Score} from '../../evaluators/types.js'
import {wordTokens} from '../../evaluators/words.js'
import {InputError} from '../../src/errors.js'
import {judge} from '../../src/gate/rule.js'
import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {writeTinyDataset} from '../fixtures/eval/tiny-dataset.js'
import {stringify} from 'yaml'

import {TEST_RULES} from '../fixtures/eval/store.js'

const BAGUETTE = 'a narrow loaf of crusty French bread baked daily'

describe('word tokens as people read them', () => {
  it('Hindi: दिल (heart) and दाल (lentils) are different words (marks kept)', () => {
    assert.deepEqual(wordTokens('दिल'), ['दिल'])
    assert.equal(rougeL('दाल', 'दिल'), 0)
    assert.equal(rougeL('दिल', 'दिल'), 1)
    assert.equal(unsupportedRate({id: 'x', cohort: 'c', input: 'क्या?', reference: 'दिल', output: 'दाल'}).value, 1)
  })

  it('Thai: กิน (eat) and กัน (together) differ, and unspaced Thai splits into words', () => {
    assert.equal(rougeL('กัน', 'กิน'), 0)
    assert.deepEqual(wordTokens('ฉันกินข้าว'), ['ฉัน', 'กิน', 'ข้าว'])
    // "I eat rice" vs "I eat water": LCS 2 of 3 and 3 words
    assert.equal(rougeL('ฉันกินน้ำ', 'ฉันกินข้าว'), 2 / 3)
  })

  it('Bengali (another script with vowel signs): কাল (time) and কিল (punch) differ', () => {
    assert.equal(rougeL('কাল', 'কিল'), 0)
    assert.equal((hallucination({}).score({id: 'x', cohort: 'c', input: 'কী?', reference: 'কিল', output: 'কাল'}) as Score).value, 1)
  })

  it('composed and decomposed accents are the same word (NFKC), as are full-width letters', () => {
    assert.equal(rougeL('cafe\u0301', 'caf\u00e9'), 1)
    assert.deepEqual(wordTokens('ＡＢＣ ﬁne'), ['abc', 'fine'])
  })

  it('Latin text tokenises as before', () => {
    assert.deepEqual(wordTokens("Don't stop!"), ['don', 't', 'stop'])
    assert.deepEqual(wordTokens('3.14 abc123 COVID-19'), ['3', '14', 'abc123', 'covid', '19'])
    assert.equal(rougeL('the cat lay on the mat', 'the cat sat on the mat'), 5 / 6)
  })
})

describe('scores at a threshold', () => {
  it('"bread" against the baguette reference is exactly 0.2 and passes threshold 0.2', async () => {
    assert.equal(rougeL('bread', BAGUETTE), 0.2)
    const e = relevance({threshold: 0.2})
    const value = await e.score({id: 'x', cohort: 'c', input: 'q', reference: BAGUETTE, output: 'bread'})
    assert.equal(value, 0.2)
    assert.equal(withinThreshold(value as number, 0.2, 'atLeast'), true)
  })

  it('one tolerance (1e-9) on both sides: 0.3 − 0.1 meets a 0.2 minimum, 0.1999 does not; a limit exactly met never fails', () => {
    assert.equal(0.3 - 0.1, 0.19999999999999998)
    assert.equal(withinThreshold(0.3 - 0.1, 0.2, 'atLeast'), true)
    assert.equal(withinThreshold(0.1999, 0.2, 'atLeast'), false)
    assert.equal(withinThreshold(0.1 + 0.2, 0.3, 'atMost'), true)
    assert.equal(withinThreshold(Number.NaN, 0.3, 'atMost'), false)
    // a maxRise 0.3 rule whose whole interval sits at 0.1 + 0.2 = 0.30000000000000004: not beyond the limit
    assert.equal(judge({kind: 'maxRise', bound: 0.3, side: 'atMost'}, 0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2, 50).status, 'pass')
  })
})

describe('JSON Schema drafts by $schema', () => {
  const score = (schema: Record<string, unknown>, output: string) => (jsonValid({schema}).score({id: 'x', cohort: 'c', output}) as Score).value

  it('2020-12 (prefixItems), 2019-09 (dependentRequired) and draft-07 schemas all work', () => {
    const s2020 = {$schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{type: 'string'}, {type: 'number'}]}
    assert.equal(score(s2020, '["a", 1]'), 1)
    assert.equal(score(s2020, '[1, "a"]'), 0)
    const s2019 = {$schema: 'https://json-schema.org/draft/2019-09/schema', type: 'object', dependentRequired: {card: ['cvc']}}
    assert.equal(score(s2019, '{"card": 1, "cvc": 2}'), 1)
    assert.equal(score(s2019, '{"card": 1}'), 0)
    const s07 = {$schema: 'http://json-schema.org/draft-07/schema#', type: 'object', required: ['a']}
    assert.equal(score(s07, '{"a": 1}'), 1)
    assert.equal(score({type: 'object', required: ['a']}, '{}'), 0)
  })

  it('an unknown keyword or an unsupported draft is an error, not ignored', () => {
    assert.throws(() => jsonValid({schema: {type: 'number', minimun: 3}}), (e: Error) => e instanceof InputError && /minimun/.test(e.message))
    assert.throws(() => jsonValid({schema: {$schema: 'http://json-schema.org/draft-04/schema#', type: 'number'}}), (e: Error) => e instanceof InputError && /draft-04/.test(e.message))
  })
})

describe('non-finite per-record values', () => {
  it('a record perplexity that overflows is +Infinity (a value), not an error', () => {
    assert.equal(perplexity({}).score({id: 'x', cohort: 'c', nll: 800, tokens: 1}), Number.POSITIVE_INFINITY)
  })
})

describe('the CLI on real text (built dist)', () => {
  let cwd: string
  const run = (...args: string[]) => lrgate([...args, '--db', 'lrgate.db'], {cwd})
  const text = (i: number) => ({id: `t${i}`, cohort: 'ood:news', text: `sentence ${i}`})
  before(() => {
    buildIfStale()
    cwd = mkdtempSync(join(tmpdir(), 'lrgate-text-'))
    // BOM in the dataset files and the manifest
    writeTinyDataset(join(cwd, 'datasets'), 'words', [
      {id: 'hi', cohort: 'target:qa', input: 'दिल का अर्थ?', reference: 'दिल'},
      {id: 'bread', cohort: 'target:qa', input: 'what is a baguette?', reference: BAGUETTE},
    ], {bom: true})
    writeTinyDataset(join(cwd, 'datasets'), 'ppl', Array.from({length: 30}, (_, i) => text(i)))
    // the gate rules pinned to those these tests were written against (the example's defaults move)
    writeFileSync(join(cwd, 'lrgate.config.yaml'), 'eval:\n  evaluators:\n    - {name: relevance, threshold: 0.2}\n    - perplexity\n' + stringify({gate: {rules: TEST_RULES}}))
  })

  it('an outputs file with a UTF-8 byte-order mark is read like one without', () => {
    writeFileSync(join(cwd, 'bom.jsonl'), '\uFEFF{"id":"hi","output":"दाल"}\r\n{"id":"bread","output":"bread"}\r\n')
    const r = run('eval', '--outputs', 'bom.jsonl', '--dataset', 'words@1', '--label', 'bom', '--json')
    assert.equal(r.status, 0, r.stderr)
    const summary = JSON.parse(r.stdout) as {cohorts: {metrics: Record<string, {value: number}>}[]}
    // दाल vs दिल scores 0, "bread" exactly 0.2 and passes 0.2: one of two records fails
    assert.equal(summary.cohorts[0].metrics.relevance.value, 0.1)
    assert.equal(summary.cohorts[0].metrics.failRate.value, 0.5)
  })

  it('check refuses (exit 2, naming both versions) scores of different evaluator versions', () => {
    writeFileSync(join(cwd, 'plain.jsonl'), '{"id":"hi","output":"दिल"}\n{"id":"bread","output":"bread"}\n')
    assert.equal(run('eval', '--outputs', 'plain.jsonl', '--dataset', 'words@1', '--label', 'new').status, 0)
    assert.equal(run('eval', '--outputs', 'plain.jsonl', '--dataset', 'words@1', '--label', 'old').status, 0)
    // "old" as an evaluation stored before versions existed: its descriptors carry none (version 1)
    const db = new Database(join(cwd, 'lrgate.db'))
    const row = db.prepare("SELECT id, evaluators FROM evaluations WHERE label = 'old'").get() as {id: number; evaluators: string}
    const stripped = (JSON.parse(row.evaluators) as {version?: string}[]).map(({version: _, ...d}) => d)
    db.prepare('UPDATE evaluations SET evaluators = ? WHERE id = ?').run(JSON.stringify(stripped), row.id)
    db.close()
    const c = run('check', '--candidate', 'new', '--baseline', 'old')
    assert.equal(c.status, 2)
    assert.match(c.stderr, /metric "relevance": the candidate evaluation #\d+ \("new"\) was scored by evaluator version 2 but the baseline evaluation #\d+ \("old"\) by version 1/)
    assert.equal(run('check', '--candidate', 'new', '--baseline', 'new').status, 0)
  })

  it('nll 800 over 1 token: eval stores it (exit 0) and check exits 1 on the perplexity regression', () => {
    const base = Array.from({length: 30}, (_, i) => ({id: `t${i}`, output: '', nll: 20, tokens: 10}))
    const diverged = base.map((o, i) => (i === 0 ? {...o, nll: 800, tokens: 1} : {...o, nll: 30}))
    writeFileSync(join(cwd, 'base.jsonl'), base.map((o) => JSON.stringify(o)).join('\n'))
    writeFileSync(join(cwd, 'diverged.jsonl'), diverged.map((o) => JSON.stringify(o)).join('\n'))
    assert.equal(run('eval', '--outputs', 'base.jsonl', '--dataset', 'ppl@1', '--label', 'base-model').status, 0)
    const e = run('eval', '--outputs', 'diverged.jsonl', '--dataset', 'ppl@1', '--label', 'diverged', '--json')
    assert.equal(e.status, 0, e.stderr)
    const cohort = (JSON.parse(e.stdout) as {cohorts: {metrics: Record<string, {value: number}>}[]}).cohorts[0]
    // exp(Σnll/Σtokens) = exp((800 + 29·30)/(1 + 29·10))
    assert.ok(Math.abs(cohort.metrics.perplexity.value - Math.exp(1670 / 291)) < 1e-9)
    const c = run('check', '--candidate', 'diverged', '--baseline', 'base-model', '--json')
    assert.equal(c.status, 1, c.stderr)
  })

  it('another overflow: every record diverged, so the cohort perplexity itself is infinite; check still exits 1', () => {
    const all = Array.from({length: 30}, (_, i) => ({id: `t${i}`, output: '', nll: 1000, tokens: 1}))
    writeFileSync(join(cwd, 'all.jsonl'), all.map((o) => JSON.stringify(o)).join('\n'))
    assert.equal(run('eval', '--outputs', 'all.jsonl', '--dataset', 'ppl@1', '--label', 'all').status, 0)
    const c = run('check', '--candidate', 'all', '--baseline', 'base-model', '--json')
    assert.equal(c.status, 1, c.stderr)
    const row = (JSON.parse(c.stdout) as {results: {metric: string; status: string}[]}).results.find((r) => r.metric === 'perplexity')
    assert.equal(row?.status, 'fail')
  })
})
