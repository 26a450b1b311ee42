import Database from 'better-sqlite3'
import {XMLParser} from 'fast-xml-parser'
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {pinnedConfigYaml} from '../fixtures/eval/pinned-config.js'
import {syntheticOutputs, writeOutputs, writeSyntheticDataset} from '../fixtures/eval/synthetic.js'

let cwd: string
const run = (...args: string[]) => lrgate([...args, '--db', 'lrgate.db'], {cwd})
const TABLES = ['datasets', 'evaluations', 'record_outputs', 'record_scores', 'cohort_metrics', 'gates', 'gate_results', 'promotions']

function rowCounts(): Record<string, number> {
  const db = new Database(join(cwd, 'lrgate.db'), {readonly: true})
  const out = Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]))
  db.close()
  return out
}

before(() => {
  buildIfStale()
  cwd = mkdtempSync(join(tmpdir(), 'lrgate-cli-'))
  writeFileSync(join(cwd, 'lrgate.config.yaml'), pinnedConfigYaml())
  const {records} = writeSyntheticDataset(join(cwd, 'datasets'), {perCohort: 60, textCohort: true})
  const v2 = writeSyntheticDataset(join(cwd, 'datasets'), {perCohort: 60, version: '2', seed: 99})
  writeOutputs(join(cwd, 'base.jsonl'), syntheticOutputs(records, {seed: 1, nllPerToken: 1.9}))
  writeOutputs(join(cwd, 'regressed.jsonl'), syntheticOutputs(records, {seed: 1, nllPerToken: 1.9, oodReplaced: 0.3}))
  writeOutputs(join(cwd, 'v2.jsonl'), syntheticOutputs(v2.records, {seed: 1, nllPerToken: 1.9}))
})

describe('lrgate eval / check (CLI)', () => {
  it('stores evaluations and prints the per-cohort table, or JSON', () => {
    const table = run('eval', '--outputs', 'base.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'base-model')
    assert.equal(table.status, 0, table.stderr)
    assert.match(table.stdout, /evaluation #1 "base-model": 240 records of synthetic-eval@1/)
    assert.match(table.stdout, /ood:news .* – .* – .* \d\.\d{3} \[/)
    const json = run('eval', '--outputs', 'base.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'same', '--json')
    assert.equal(json.status, 0, json.stderr)
    const parsed = JSON.parse(json.stdout) as {evaluation: {id: number}; metrics: string[]; cohorts: {cohort: string; records: number; metrics: Record<string, {n: number}>}[]}
    assert.equal(parsed.evaluation.id, 2)
    assert.deepEqual(parsed.metrics, ['relevance', 'hallucination', 'perplexity', 'failRate'])
    assert.deepEqual(parsed.cohorts.map((c) => [c.cohort, c.records]), [['target:food', 60], ['ood:animal', 60], ['ood:artifact', 60], ['ood:news', 60]])
    assert.equal(parsed.cohorts[1].metrics.relevance.n, 60)
    assert.equal(run('eval', '--outputs', 'regressed.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'regressed').status, 0)
  })

  it('A/A: the same outputs as baseline and candidate exit 0', () => {
    const r = run('check', '--candidate', 'same', '--baseline', 'base-model', '--json')
    assert.equal(r.status, 0, r.stderr)
    const report = JSON.parse(r.stdout) as {verdict: string; results: {status: string}[]; sharedRecords: number}
    assert.equal(report.verdict, 'pass')
    assert.equal(report.sharedRecords, 240)
    assert.deepEqual([...new Set(report.results.map((x) => x.status))].sort(), ['pass', 'skipped'])
  })

  it('a known regression exits 1 naming the failing rule, and writes JUnit, Markdown and the GitHub summary', (t) => {
    const summary = join(cwd, 'step-summary.md')
    writeFileSync(summary, '# earlier step\n')
    const r = lrgate(['check', '--candidate', 'regressed', '--baseline', 'base-model', '--junit', 'reports/junit.xml', '--markdown', 'reports/summary.md', '--db', 'lrgate.db'], {
      cwd,
      env: {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary},
    })
    t.diagnostic(`lrgate check took ${r.ms.toFixed(0)} ms`)
    assert.equal(r.status, 1, r.stderr)
    assert.match(r.stdout, /FAIL: 4 of 11 rule × cohort checks failed: relevance maxDrop 0\.02; failRate maxRise 0\.02/)
    assert.match(r.stdout, /FAIL relevance maxDrop 0\.02 on ood:animal: delta -0\.\d{3} with 95% CI \[-0\.\d{3}, -0\.\d{3}\] lies wholly below the limit -0\.020/)

    const xml = readFileSync(join(cwd, 'reports/junit.xml'), 'utf8')
    const doc = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '@'}).parse(xml) as {
      testsuites: {'@tests': string; '@failures': string; testsuite: {'@tests': string; testcase: {'@name': string; failure?: {'@message': string}; skipped?: unknown}[]}}
    }
    const cases = doc.testsuites.testsuite.testcase
    assert.equal(cases.length, 11)
    assert.equal(doc.testsuites['@tests'], '11')
    assert.equal(doc.testsuites['@failures'], '4')
    const failing = cases.filter((c) => c.failure !== undefined)
    assert.deepEqual(failing.map((c) => c['@name']), [
      'relevance maxDrop 0.02 [ood:animal]',
      'relevance maxDrop 0.02 [ood:artifact]',
      'failRate maxRise 0.02 [ood:animal]',
      'failRate maxRise 0.02 [ood:artifact]',
    ])
    assert.match(failing[0].failure!['@message'], /^relevance on ood:animal: baseline 0\.\d{3}, candidate 0\.\d{3}, delta -0\.\d{3}, 95% CI \[-0\.\d{3}, -0\.\d{3}\], limit ≥ -0\.020, adjusted p [\d.e-]+$/)
    assert.equal(cases.filter((c) => c.skipped !== undefined).length, 2)

    const markdown = readFileSync(join(cwd, 'reports/summary.md'), 'utf8')
    assert.match(markdown, /^### ❌ lrgate check: fail/)
    assert.match(markdown, /\| relevance maxDrop 0\.02 \| ood:animal \| 0\.\d{3} \| 0\.\d{3} \| -0\.\d{3} \|/)
    assert.equal(readFileSync(summary, 'utf8'), '# earlier step\n' + markdown)
  })

  it('evaluations on different dataset hashes exit 2 naming both, unless --on-shared-records', () => {
    assert.equal(run('eval', '--outputs', 'v2.jsonl', '--dataset', 'synthetic-eval@2', '--label', 'v2').status, 0)
    const r = run('check', '--candidate', 'v2', '--baseline', 'base-model')
    assert.equal(r.status, 2)
    assert.match(r.stderr, /^lrgate: the candidate evaluation #4 \("v2"\) used dataset synthetic-eval@2 \(hash [0-9a-f]{12}\) but the baseline evaluation #1 \("base-model"\) used synthetic-eval@1/)
    assert.equal(r.stdout, '')
    const shared = run('check', '--candidate', 'v2', '--baseline', 'base-model', '--on-shared-records', '--json')
    assert.ok(shared.status === 0 || shared.status === 1, shared.stderr)
    assert.equal((JSON.parse(shared.stdout) as {sharedRecords: number}).sharedRecords, 180)
  })

  it('a gate rule with an unknown metric exits 2 naming the config file, line and field, storing nothing', () => {
    const before = rowCounts()
    const yaml = pinnedConfigYaml().replace('metric: relevance\n', 'metric: relevanc\n')
    writeFileSync(join(cwd, 'typo.config.yaml'), yaml)
    const line = yaml.split('\n').indexOf('      metric: relevanc') + 1
    assert.ok(line > 0)
    const r = run('check', '--candidate', 'base-model', '--baseline', 'base-model', '--config', 'typo.config.yaml')
    assert.equal(r.status, 2)
    assert.equal(
      r.stderr,
      `lrgate: typo.config.yaml:${line}: field "gate.rules[0].metric": unknown metric "relevanc" (rule "relevanc maxDrop 0.02"); these evaluations have relevance, hallucination, perplexity, failRate; fix the config file.\n`,
    )
    assert.deepEqual(rowCounts(), before)
  })

  it('a flag value oclif cannot parse exits 2 with one sentence naming the flag and the value', () => {
    const before = rowCounts()
    const cases: Array<[string[], string]> = [
      [['--resamples', 'abc'], '--resamples abc: expected an integer.'],
      [['--seed=1.5'], '--seed 1.5: expected an integer.'],
      [['--resamples', '5'], '--resamples 5: expected an integer of at least 100.'],
    ]
    for (const [flags, message] of cases) {
      const r = run('check', '--candidate', 'base-model', '--baseline', 'base-model', ...flags)
      assert.equal(r.status, 2)
      assert.equal(r.stderr, `lrgate: ${message}\n`)
    }
    assert.deepEqual(rowCounts(), before)
  })

  it('a report path that cannot be written exits 2 naming the flag and the path, before anything is decided or stored', () => {
    mkdirSync(join(cwd, 'a-folder'), {recursive: true})
    writeFileSync(join(cwd, 'a-file'), 'x')
    const before = rowCounts()
    for (const [flag, path, reason] of [
      ['--junit', 'a-folder', /^lrgate: --junit a-folder: is a directory; give a file path\.\n$/],
      ['--markdown', 'a-file/summary.md', /^lrgate: --markdown a-file\/summary\.md: .*a-file is a file, not a folder\.\n$/],
    ] as const) {
      const r = run('check', '--candidate', 'same', '--baseline', 'base-model', flag, path)
      assert.equal(r.status, 2, r.stderr)
      assert.match(r.stderr, reason)
      assert.equal(r.stdout, '')
    }
    assert.deepEqual(rowCounts(), before, 'no gate stored')
  })

  it('check, baseline promote and runs prune on a database that does not exist exit 2 and create nothing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'lrgate-nodb-'))
    for (const args of [['check', '--candidate', 'a', '--baseline', 'b'], ['baseline', 'promote', 'a'], ['runs', 'prune', '--dry-run']]) {
      const r = lrgate(args, {cwd: empty})
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /^lrgate: .*\.lrgate\/lrgate\.db: no database there/)
      assert.deepEqual(readdirSync(empty), [], `${args.join(' ')} created nothing`)
    }
  })

  it('malformed outputs lines exit 2 naming the line and leave the database unchanged', () => {
    const before = rowCounts()
    const lines = readFileSync(join(cwd, 'base.jsonl'), 'utf8').split('\n')
    lines[41] = '{"id": "animal-001", "output": "ok", "nll": "high", "tokens": 3}'
    writeFileSync(join(cwd, 'bad.jsonl'), lines.join('\n'))
    const r = run('eval', '--outputs', 'bad.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'bad')
    assert.equal(r.status, 2)
    assert.match(r.stderr, /^lrgate: bad\.jsonl:42: field "nll": .*; fix the outputs file\.\n$/)
    writeFileSync(join(cwd, 'unknown.jsonl'), readFileSync(join(cwd, 'base.jsonl'), 'utf8') + '{"id": "food-999", "output": "x"}\n')
    const unknown = run('eval', '--outputs', 'unknown.jsonl', '--dataset', 'synthetic-eval@1')
    assert.equal(unknown.status, 2)
    assert.equal(unknown.stderr, 'lrgate: unknown.jsonl:241: field "id": "food-999" is not a record of dataset synthetic-eval@1; check that the outputs were made for this dataset version.\n')
    assert.deepEqual(rowCounts(), before)
  })

  it('a user evaluator module without the interface exits 2 naming it', () => {
    writeFileSync(join(cwd, 'not-an-evaluator.mjs'), 'export default {name: "x"}\n')
    const r = run('eval', '--outputs', 'base.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'bad-evaluator', '--evaluator', 'not-an-evaluator.mjs')
    assert.equal(r.status, 2)
    assert.match(r.stderr, /^lrgate: not-an-evaluator\.mjs: does not export an lrgate evaluator/)
    writeFileSync(join(cwd, 'short.mjs'), "export default {name: 'short', needs: ['output'], direction: 'higher', threshold: 1, score: (r) => (r.output.length < 200 ? 1 : 0)}\n")
    const ok = run('eval', '--outputs', 'base.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'with-short', '--evaluator', 'short.mjs', '--json')
    assert.equal(ok.status, 0, ok.stderr)
    assert.ok((JSON.parse(ok.stdout) as {metrics: string[]}).metrics.includes('short'))
  })

  it('promotes a baseline, checks against "promoted", and lists the history', () => {
    const promote = run('baseline', 'promote', 'base-model', '--note', 'first', '--json')
    assert.equal(promote.status, 0, promote.stderr)
    assert.deepEqual((({evaluationId, label, note}) => ({evaluationId, label, note}))(JSON.parse(promote.stdout) as {evaluationId: number; label: string; note: string}), {evaluationId: 1, label: 'base-model', note: 'first'})
    assert.equal(run('check', '--candidate', 'same', '--baseline', 'promoted').status, 0)
    const history = JSON.parse(run('runs', 'list', '--json').stdout) as {evaluations: {label: string}[]; gates: {verdict: string}[]; promotions: {label: string}[]}
    assert.equal(history.evaluations[0].label, 'with-short')
    assert.deepEqual(history.promotions.map((p) => p.label), ['base-model'])
    assert.equal(history.gates[0].verdict, 'pass')
    const missing = run('runs', 'show', '7')
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /run 7 does not exist; the database holds no runs yet/)
  })
})

describe('reserved labels', () => {
  it('eval --label and sweep --name refuse the references check reads as something else, with the reason, storing nothing', () => {
    const before = rowCounts()
    const cases: Array<[string, RegExp]> = [
      ['base', /--label "base" is reserved: "base" names the latest sweep's base-model evaluation/],
      ['recommended', /--label "recommended" is reserved: "recommended" names the latest sweep's recommended candidate/],
      ['promoted', /--label "promoted" is reserved: "promoted" names the latest promoted evaluation/],
      ['42', /--label "42" is reserved: a whole number is read as an evaluation id/],
      ['run:3:lr-1e-4', /--label "run:3:lr-1e-4" is reserved: "run:…" is read as a run's evaluation/],
      ['mine@v2', /--label "mine@v2" is reserved: "@" is kept for lrgate's own labels/],
    ]
    for (const [label, message] of cases) {
      const r = run('eval', '--outputs', 'base.jsonl', '--dataset', 'synthetic-eval@1', '--label', label)
      assert.equal(r.status, 2, `${label}: ${r.stderr}`)
      assert.match(r.stderr, message)
      assert.match(r.stderr, /choose another label/)
    }
    // the default label (the file name) is held to the same rule
    writeFileSync(join(cwd, 'recommended.jsonl'), readFileSync(join(cwd, 'base.jsonl')))
    const byName = run('eval', '--outputs', 'recommended.jsonl', '--dataset', 'synthetic-eval@1')
    assert.equal(byName.status, 2, byName.stderr)
    assert.match(byName.stderr, /the default label \(from the file or folder name; give --label\) "recommended" is reserved/)
    const sweep = run('sweep', '--name', 'week@2', '--lr', '1e-4')
    assert.equal(sweep.status, 2, sweep.stderr)
    assert.match(sweep.stderr, /--name "week@2": its evaluation labels \(week@2\/<candidate>\) would be reserved/)
    assert.deepEqual(rowCounts(), before)
  })
})

describe('table width', () => {
  it('no line wider than 120 columns without a terminal, the full width with --wide', () => {
    const narrow = run('check', '--candidate', 'regressed', '--baseline', 'base-model')
    assert.equal(narrow.status, 1, narrow.stderr)
    const table = narrow.stdout.split('\n').filter((l) => /^[┌│├└]/.test(l))
    assert.ok(table.length > 5)
    assert.ok(table.every((l) => [...l].length <= 120), table.map((l) => [...l].length).join(','))
    const wide = run('check', '--candidate', 'regressed', '--baseline', 'base-model', '--wide')
    const wideTable = wide.stdout.split('\n').filter((l) => /^[┌│├└]/.test(l))
    assert.ok(wideTable.some((l) => [...l].length > 120), 'the gate table is wider than 120 columns unwrapped')
    // wrapped, not cut: every rule name is still there
    for (const rule of ['perplexity maxRise 0.05 relative', 'relevance maxDrop 0.02']) {
      assert.ok(wide.stdout.includes(rule))
      assert.ok(table.join(' ').replace(/[│\s]+/g, ' ').includes(rule.split(' ')[0]), rule)
    }
  })
})

describe('--json', () => {
  it('every JSON result is an object whose first key is schemaVersion', () => {
    const outputs = [
      run('eval', '--outputs', 'base.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'json-probe', '--json'),
      run('check', '--candidate', 'json-probe', '--baseline', 'base-model', '--json'),
      run('runs', 'list', '--json'),
      run('runs', 'prune', '--dry-run', '--json'),
      run('datasets', 'list', '--json'),
      run('datasets', 'verify', 'synthetic-eval@1', '--json'),
      run('schedule', '--type', 'cosine', '--lr', '1e-3', '--steps', '5', '--json'),
      run('baseline', 'promote', 'json-probe', '--json'),
    ]
    for (const r of outputs) {
      assert.equal(r.status, 0, r.stderr)
      const parsed = JSON.parse(r.stdout) as Record<string, unknown>
      assert.equal(Object.keys(parsed)[0], 'schemaVersion', r.stdout.slice(0, 200))
      assert.equal(parsed.schemaVersion, 1)
    }
  })
})
