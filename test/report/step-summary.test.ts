import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import type {GateReport, GateRow} from '../../src/gate/types.js'
import {gateMarkdown} from '../../src/report/markdown.js'
import {gateStepSummary, STEP_SUMMARY_LIMIT} from '../../src/report/step-summary.js'
import {appendGithubStepSummary} from '../../src/report/summary.js'

const row = (i: number, over: Partial<GateRow> = {}): GateRow => ({
  rule: 'relevance maxDrop 0.02', ruleIndex: 0, cohort: `ood:cohort-with-a-long-descriptive-name-${String(i).padStart(5, '0')}`, metric: 'relevance',
  baseline: 0.8, candidate: 0.79, delta: -0.01, ciLow: -0.015, ciHigh: -0.005, limit: -0.02, limitKind: 'maxDrop', limitSide: 'atLeast',
  relative: false, status: 'pass', message: 'within the limit (60 records)', records: 60, inconclusive: false, recordsNeeded: null, ...over,
})

/** A check over 2,000 cohorts × 4 rules: one failing row near the end, one inconclusive one. */
function bigReport(): GateReport {
  const results: GateRow[] = []
  for (const [ruleIndex, rule] of ['relevance maxDrop 0.02', 'perplexity maxRise 0.05 relative', 'hallucination maxRise 0.02', 'failRate maxRise 0.02'].entries()) {
    for (let i = 0; i < 2000; i++) results.push(row(i, {rule, ruleIndex}))
  }
  results[7990] = {...results[7990], status: 'fail', ciHigh: -0.03, message: 'lies wholly below'}
  results[4000] = {...results[4000], inconclusive: true, message: 'cohort too small'}
  return {verdict: 'fail', gateId: 1, candidate: {id: 2, label: 'pr'}, baseline: {id: 1, label: 'main'}, datasetHash: {candidate: 'a', baseline: 'a'},
    sharedRecords: 120000, confidence: 0.95, resamples: 2000, seed: 1, results}
}

describe('$GITHUB_STEP_SUMMARY within GitHub\'s 1 MiB', () => {
  it('a check over 2,000 cohorts stays under 1 MiB: verdict, the failing and inconclusive rows first, then a note naming the full reports', () => {
    const report = bigReport()
    assert.ok(Buffer.byteLength(gateMarkdown(report)) > STEP_SUMMARY_LIMIT, 'the full Markdown is over the limit')
    const md = gateStepSummary(report, STEP_SUMMARY_LIMIT - 4096, {markdown: 'reports/gate.md', junit: 'reports/junit.xml'})
    assert.ok(Buffer.byteLength(md) <= STEP_SUMMARY_LIMIT - 4096)
    assert.match(md, /^### ❌ lrgate check: fail/)
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| rule'))
    assert.match(rows[0], /failRate maxRise 0\.02 \| ood:cohort-with-a-long-descriptive-name-01990 .*❌ fail/)
    assert.match(rows[1], /\(inconclusive\)/)
    assert.match(md, /_\d+ of 8000 rows left out to stay under GitHub's 1 MiB step-summary limit \(1 failing and 1 inconclusive rows come first\)\. Every row is in `reports\/gate\.md` \(--markdown\) and `reports\/junit\.xml` \(--junit\)\._\n$/)
  })

  it('a small budget still keeps the verdict and the failing row; without report files the note says how to write them', () => {
    const md = gateStepSummary(bigReport(), 2000)
    assert.ok(Buffer.byteLength(md) <= 2000)
    assert.match(md, /❌ fail \|/)
    assert.match(md, /lrgate check --markdown <file> --junit <file>/)
  })

  it('what earlier steps wrote counts against the limit', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lrgate-summary-')), 'summary.md')
    writeFileSync(file, 'x'.repeat(600_000) + '\n')
    assert.equal(appendGithubStepSummary((budget) => gateStepSummary(bigReport(), budget), {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file}), file)
    assert.ok(statSync(file).size <= STEP_SUMMARY_LIMIT)
    assert.match(readFileSync(file, 'utf8'), /❌ fail \|/)
  })
})
