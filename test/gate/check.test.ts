import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {loadDataset} from '../../src/datasets/load.js'
import type {Dataset, DatasetRecord} from '../../src/datasets/types.js'
import {runCheck} from '../../src/gate/run-check.js'
import {gateResults} from '../../src/store/gates.js'
import {storeOutputs, TEST_RULES, tempDb} from '../fixtures/eval/store.js'
import {syntheticOutputs, writeSyntheticDataset} from '../fixtures/eval/synthetic.js'
import {messageOf as inputError} from '../fixtures/input-error.js'
import {sql} from '../../src/store/sql.js'

const rules = TEST_RULES
const request = (candidate: string, baseline: string, seed = 1234) => ({candidate, baseline, rules, confidence: 0.95, resamples: 2000, seed, onSharedRecords: false})


let dataset: Dataset
let records: DatasetRecord[]
let otherVersion: Dataset

before(async () => {
  const root = mkdtempSync(join(tmpdir(), 'lrgate-check-'))
  const written = writeSyntheticDataset(root, {perCohort: 80, textCohort: true})
  records = written.records
  dataset = await loadDataset(written.dir)
  otherVersion = await loadDataset(writeSyntheticDataset(root, {perCohort: 80, version: '2', seed: 8, textCohort: true}).dir)
})

describe('lrgate check (module)', () => {
  it('A/A: the same outputs as baseline and candidate pass, with zero deltas, across 20 seeds', async () => {
    const db = tempDb()
    // 4 different output sets, each checked against itself (two stored evaluations) with 5 bootstrap seeds
    for (let set = 0; set < 4; set++) {
      const outputs = syntheticOutputs(records, {seed: 100 + set, nllPerToken: 1.9, noise: 0.1 + 0.1 * set})
      await storeOutputs(db, dataset, outputs, `a-${set}`)
      await storeOutputs(db, dataset, outputs, `b-${set}`)
      for (let seed = set * 5; seed < set * 5 + 5; seed++) {
        const report = runCheck(db, request(`b-${set}`, `a-${set}`, seed))
        assert.equal(report.verdict, 'pass', `seed ${seed}`)
        assert.equal(report.seed, seed)
        const checked = report.results.filter((r) => r.status !== 'skipped')
        assert.equal(checked.length, 9, `seed ${seed}`)
        for (const r of checked) assert.deepEqual([r.delta, r.ciLow, r.ciHigh, r.status, r.inconclusive], [0, 0, 0, 'pass', false], `${r.rule} ${r.cohort}`)
      }
    }
    assert.equal(sql(db).prepare("SELECT count(*) FROM gates WHERE verdict = 'pass'").pluck().get(), 20)
    db.close()
  })

  it('a known regression (30% of OOD answers replaced by unrelated text) fails on OOD relevance and fail rate', async () => {
    const db = tempDb()
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1, nllPerToken: 1.9}), 'base')
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1, nllPerToken: 1.9, oodReplaced: 0.3}), 'cand')
    const report = runCheck(db, request('cand', 'base'))
    assert.equal(report.verdict, 'fail')
    const row = (rule: string, cohort: string) => report.results.find((r) => r.rule === rule && r.cohort === cohort)!
    for (const cohort of ['ood:animal', 'ood:artifact']) {
      const relevance = row('relevance maxDrop 0.02', cohort)
      assert.equal(relevance.status, 'fail', cohort)
      assert.ok(relevance.delta! < -0.1 && relevance.ciHigh! < -0.02, `${relevance.delta} ${relevance.ciHigh}`)
      assert.match(relevance.message, /lies wholly below the limit -0\.020, adjusted p [\d.e-]+ \(conditional Holm: \d+ of \d+ rows with p ≤ 0\.8\) \(80 records\)/)
      assert.equal(row('failRate maxRise 0.02', cohort).status, 'fail')
    }
    // the target cohort was not touched
    assert.equal(row('relevance minGain 0', 'target:food').status, 'pass')
    assert.equal(row('relevance minGain 0', 'target:food').delta, 0)
    // text-only cohort: relevance is skipped, perplexity compared
    assert.equal(row('relevance maxDrop 0.02', 'ood:news').status, 'skipped')
    assert.equal(row('perplexity maxRise 0.05 relative', 'ood:news').status, 'pass')
    // stored with its rows
    assert.deepEqual(gateResults(db, report.gateId!).map((r) => r.status), report.results.map((r) => r.status))
    const stored = sql(db).prepare('SELECT verdict, seed, resamples, shared_records FROM gates WHERE id = ?').get(report.gateId) as Record<string, unknown>
    assert.deepEqual(stored, {verdict: 'fail', seed: 1234, resamples: 2000, shared_records: 320})
    db.close()
  })

  it('fails an OOD perplexity rise of 20% and passes a 1% one', async () => {
    const db = tempDb()
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1, nllPerToken: 1.9}), 'base')
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1, nllPerToken: 1.9, oodNllFactor: 1.1}), 'worse')
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1, nllPerToken: 1.9, oodNllFactor: 1.005}), 'same')
    const worse = runCheck(db, request('worse', 'base')).results.filter((r) => r.metric === 'perplexity')
    // exp(1.1·x) / exp(x) - 1 with x ≈ 1.9: about +21%
    for (const r of worse) assert.equal(r.status, 'fail', `${r.cohort} ${r.delta}`)
    assert.ok(worse.every((r) => r.delta! > 0.18 && r.delta! < 0.24), worse.map((r) => r.delta).join(' '))
    const same = runCheck(db, request('same', 'base'))
    assert.equal(same.verdict, 'pass')
    db.close()
  })

  it('says when a cohort is too small to show a limit holds, and how many records would be needed', async () => {
    const db = tempDb()
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1, noise: 0.3}), 'base')
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 2, noise: 0.3}), 'cand')
    const report = runCheck(db, request('cand', 'base'))
    const inconclusive = report.results.filter((r) => r.inconclusive)
    assert.ok(inconclusive.length > 0, 'two noisy runs of the same model on 80 records cannot show a 0.02 limit holds')
    const withCount = inconclusive.find((r) => r.recordsNeeded !== null)!
    assert.match(withCount.message, /^cohort too small to show the limit holds: the 95% CI .* reaches past the limit .*; about \d+ records would be needed \(have 80\)$/)
    assert.ok(withCount.recordsNeeded! > 80)
    db.close()
  })

  it('skips rules whose metric neither evaluation has, and refuses a metric only one has', async () => {
    const db = tempDb()
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1}), 'no-nll-a')
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1}), 'no-nll-b')
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1, nllPerToken: 2}), 'with-nll')
    const report = runCheck(db, request('no-nll-b', 'no-nll-a'))
    const ppl = report.results.filter((r) => r.metric === 'perplexity')
    assert.ok(ppl.length === 3 && ppl.every((r) => r.status === 'skipped' && /neither evaluation has perplexity/.test(r.message)))
    assert.match(inputError(() => runCheck(db, request('no-nll-b', 'with-nll'))), /metric "perplexity" on cohort "ood:\w+": the baseline evaluation #3 \("with-nll"\) has it but the candidate evaluation #2 \("no-nll-b"\) does not/)
    // nothing stored for the refused comparison
    assert.equal(sql(db).prepare('SELECT count(*) FROM gates').pluck().get(), 1)
    db.close()
  })

  it('refuses evaluations on different dataset hashes unless asked to compare shared records', async () => {
    const db = tempDb()
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1}), 'v1')
    const v2records = otherVersion.records
    await storeOutputs(db, otherVersion, syntheticOutputs(v2records, {seed: 1}), 'v2')
    const message = inputError(() => runCheck(db, request('v2', 'v1')))
    assert.match(message, /the candidate evaluation #2 \("v2"\) used dataset synthetic-eval@2 \(hash [0-9a-f]{12}\) but the baseline evaluation #1 \("v1"\) used synthetic-eval@1 \(hash [0-9a-f]{12}\).*--on-shared-records/)
    const shared = runCheck(db, {...request('v2', 'v1'), onSharedRecords: true})
    assert.equal(shared.sharedRecords, 320)
    db.close()
  })

  it('refuses an unknown metric in a rule', async () => {
    const db = tempDb()
    await storeOutputs(db, dataset, syntheticOutputs(records, {seed: 1}), 'x')
    assert.match(inputError(() => runCheck(db, {...request('x', 'x'), rules: [{metric: 'relevanse', maxDrop: 0.1}]})), /gate\.rules\[0\] \("relevanse maxDrop 0\.1"\): unknown metric "relevanse"; these evaluations have relevance, hallucination, perplexity, failRate/)
    db.close()
  })
})
