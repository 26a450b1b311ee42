import {XMLParser, XMLValidator} from 'fast-xml-parser'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import type {GateRow, StoredGateReport} from '../../src/gate/types.js'
import {gateJunit, xmlEscape} from '../../src/report/junit.js'
import {gateMarkdown} from '../../src/report/markdown.js'
import {appendGithubStepSummary} from '../../src/report/summary.js'
import {gateTable, gateVerdictLines} from '../../src/report/table.js'
import {setTableWidth} from '../../src/report/table-width.js'

// The rows' cells are matched whole here; wrapping to the terminal is tested in test/gate/cli.test.ts.
setTableWidth(null)

const row = (over: Partial<GateRow>): GateRow => ({
  rule: 'relevance maxDrop 0.02',
  ruleIndex: 0,
  cohort: 'ood:animal',
  metric: 'relevance',
  baseline: 0.8,
  candidate: 0.79,
  delta: -0.01,
  ciLow: -0.015,
  ciHigh: -0.005,
  limit: -0.02,
  limitKind: 'maxDrop',
  limitSide: 'atLeast',
  relative: false,
  status: 'pass',
  message: 'within the limit (60 records)',
  records: 60,
  inconclusive: false,
  recordsNeeded: null,
  pValue: null,
  adjustedP: null,
  decided: null,
  ...over,
})

const report: StoredGateReport = {
  verdict: 'fail',
  gateId: 3,
  candidate: {id: 7, label: 'pr <42> & "friends"'},
  baseline: {id: 2, label: 'promoted|main'},
  datasetHash: {candidate: 'a', baseline: 'a'},
  sharedRecords: 240,
  confidence: 0.95,
  resamples: 2000,
  seed: 1234,
  results: [
    row({}),
    row({cohort: 'ood:artifact', candidate: 0.6, delta: -0.2, ciLow: -0.25, ciHigh: -0.15, status: 'fail', message: 'delta -0.200 with 95% CI [-0.250, -0.150] lies wholly below the limit -0.020 (60 records)'}),
    row({rule: 'perplexity maxRise 0.05 relative', metric: 'perplexity', cohort: 'ood:news', baseline: 6.5, candidate: 6.6, delta: 0.0154, ciLow: -0.01, ciHigh: 0.07, limit: 0.05, limitKind: 'maxRise', limitSide: 'atMost', relative: true, inconclusive: true, recordsNeeded: 410, message: 'cohort too small to show the limit holds: …; about 410 records would be needed (have 60)'}),
    row({rule: 'failRate maxRise 0.02', metric: 'failRate', cohort: 'ood:news', baseline: null, candidate: null, delta: null, ciLow: null, ciHigh: null, limit: 0.02, limitKind: 'maxRise', limitSide: 'atMost', status: 'skipped', message: 'neither evaluation has a thresholded evaluator (so no fail rate) for this cohort', records: 0}),
  ],
  failures: [
    {id: 'art-3', cohort: 'ood:artifact', metric: 'relevance', value: 0.05, reason: 'no word of the reference <"saw"> in the output'},
    {id: 'news-9', cohort: 'ood:news', metric: 'hallucination', value: 0.9, reason: null},
  ],
}

describe('gate reports', () => {
  it('JUnit: valid XML, one testcase per row, failures carry the numbers, skipped rows a <skipped>', () => {
    const xml = gateJunit(report)
    assert.equal(XMLValidator.validate(xml), true)
    const doc = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '@'}).parse(xml) as {
      testsuites: {'@tests': string; '@failures': string; '@skipped': string; testsuite: {'@name': string; testcase: {'@classname': string; '@name': string; failure?: {'@message': string; '#text': string}; skipped?: {'@message': string}}[]}}
    }
    const suite = doc.testsuites.testsuite
    assert.deepEqual([doc.testsuites['@tests'], doc.testsuites['@failures'], doc.testsuites['@skipped']], ['4', '1', '1'])
    assert.equal(suite['@name'], 'lrgate check: pr <42> & "friends" (#7) vs promoted|main (#2)')
    assert.equal(suite.testcase.length, 4)
    assert.deepEqual(suite.testcase.map((c) => c['@classname']), ['lrgate.relevance', 'lrgate.relevance', 'lrgate.perplexity', 'lrgate.failRate'])
    const failure = suite.testcase[1].failure!
    assert.equal(failure['@message'], 'relevance on ood:artifact: baseline 0.800, candidate 0.600, delta -0.200, 95% CI [-0.250, -0.150], limit ≥ -0.020')
    assert.match(failure['#text'], /^relevance maxDrop 0\.02: delta -0\.200/)
    // The body lists the cohort's failed records with the evaluator's reason (other cohorts' stay out).
    assert.match(failure['#text'], /\nfailed records in this cohort \(1\):\n {2}art-3: relevance 0\.050 \(no word of the reference <"saw"> in the output\)$/)
    assert.doesNotMatch(failure['#text'], /news-9/)
    assert.match(suite.testcase[3].skipped!['@message'], /no fail rate/)
  })

  it('JUnit: an inconclusive pass stays a passing testcase whose output says "pass (?)" and the records needed', () => {
    const xml = gateJunit(report)
    assert.match(xml, /<property name="inconclusive" value="1"\/>/)
    assert.match(xml, /name="perplexity maxRise 0\.05 relative \[ood:news\]" time="0">\n      <system-out>pass \(\?\) inconclusive: perplexity maxRise 0\.05 relative on ood:news: cohort too small to show the limit holds: …; about 410 records would be needed \(have 60\)<\/system-out>/)
    assert.match(xml, /name="relevance maxDrop 0\.02 \[ood:animal\]" time="0"\/>/, 'a clear pass stays an empty testcase')
  })

  it('escapes XML special and control characters', () => {
    assert.equal(xmlEscape(`a<b>&"c'\u0001`), 'a&lt;b&gt;&amp;&quot;c&apos;')
  })

  it('Markdown: verdict, escaped table cells, failures and inconclusive notes', () => {
    const md = gateMarkdown(report)
    assert.match(md, /^### ❌ lrgate check: fail\n/)
    assert.match(md, /vs baseline \*\*promoted\\\|main\*\* \(evaluation #2\) · 240 shared records · family-wise 95%: conditional Holm over one-sided tests \(studentized, paired bootstrap SE, 2000 resamples, seed 1234\)/)
    assert.match(md, /\| perplexity maxRise 0\.05 relative \| ood:news \| 6\.500 \| 6\.600 \| \+1\.5% \| \[-1\.0%, \+7\.0%\] \| ≤ \+5\.0% \| – \| ✅ pass \(inconclusive\) \|/)
    assert.match(md, /\| failRate maxRise 0\.02 \| ood:news \| – \| – \| – \| – \| ≤ \+2\.0 pt \| – \| ⏭️ skipped \|/)
    assert.match(md, /\*\*Failed\*\*\n\n- relevance maxDrop 0\.02 on <code>ood:artifact<\/code>: delta -0\.200/)
    assert.match(md, /\*\*Inconclusive\*\*\n\n- perplexity maxRise 0\.05 relative on <code>ood:news<\/code>: cohort too small .* about 410 records would be needed/)
  })

  it('table and verdict lines name the failing rule', () => {
    const table = gateTable(report)
    assert.match(table, /relevance maxDrop 0\.02 +│ ood:artifact +│ +0\.800 │ +0\.600 │ +-0\.200 │ \[-0\.250, -0\.150\] +│ ≥ -0\.020 +│ +– │ FAIL/)
    const lines = gateVerdictLines(report)
    assert.equal(lines[1], 'FAIL: 1 of 4 rule × cohort checks failed: relevance maxDrop 0.02')
    assert.equal(lines.length, 4)
  })

  it('appends to $GITHUB_STEP_SUMMARY only under GitHub Actions', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lrgate-summary-')), 'summary.md')
    writeFileSync(file, 'before\n')
    assert.equal(appendGithubStepSummary('# x', {GITHUB_STEP_SUMMARY: file}), null)
    assert.equal(appendGithubStepSummary('# x', {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file}), file)
    assert.equal(appendGithubStepSummary('# y\n', {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file}), file)
    assert.equal(readFileSync(file, 'utf8'), 'before\n# x\n# y\n')
  })
})
