import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {loadRunReportData, resolveReportRun} from '../../src/report/run-report-data.js'
import {openDbReadOnly} from '../../src/store/db.js'
import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {sweepFixture} from '../fixtures/sweep/workplace.js'

interface Row {rule: string; cohort: string; metric: string; delta: number | null; ciLow: number | null; ciHigh: number | null; status: string; limit: number | null}
interface SweepJson {
  runId: number
  candidates: Array<{label: string; gateId: number; verdict: string; worstOod: {cohort: string; metric: string; delta: number; ciLow: number; ciHigh: number} | null}>
}

const key = (r: Row) => `${r.rule}|${r.cohort}`

describe('one stored view of a gate decision', () => {
  before(() => buildIfStale())

  it('check --json, runs show --json, sweep --json and the report\'s data agree for one gate', () => {
    const {cwd, db} = sweepFixture()
    const sweep = lrgate(['sweep', '--json', '--db', db], {cwd})
    assert.equal(sweep.status, 0, sweep.stderr)
    const out = JSON.parse(sweep.stdout) as SweepJson
    const hot = out.candidates.find((c) => c.label === 'lr-3e-3')!
    assert.equal(hot.verdict, 'fail')
    assert.ok(hot.worstOod !== null)

    const show = lrgate(['runs', 'show', String(out.runId), '--json', '--db', db], {cwd})
    assert.equal(show.status, 0, show.stderr)
    const shown = (JSON.parse(show.stdout) as {gates: Array<{gateId: number; candidateLabel: string; verdict: string; seed: number; results: Row[]}>}).gates
    assert.equal(shown.length, 2, 'runs show lists each candidate\'s stored gate')
    const stored = shown.find((g) => g.gateId === hot.gateId)!
    assert.equal(stored.candidateLabel, 'lr-3e-3')
    assert.equal(stored.verdict, 'fail')

    // check on the same pair, again: a new gate row whose numbers are the sweep's to the digit
    // (the bootstrap seed comes from the gate seed and the two evaluations' contents, not row ids).
    const check = lrgate(['check', '--candidate', `run:${out.runId}:lr-3e-3`, '--baseline', 'base', '--json', '--db', db], {cwd})
    assert.equal(check.status, 1, check.stderr)
    const checked = JSON.parse(check.stdout) as {gateId: number; verdict: string; seed: number; results: Row[]}
    assert.notEqual(checked.gateId, hot.gateId)
    assert.equal(checked.seed, stored.seed)
    const pick = (rows: Row[]) => rows.map((r) => ({key: key(r), delta: r.delta, ciLow: r.ciLow, ciHigh: r.ciHigh, status: r.status, limit: r.limit}))
    assert.deepEqual(pick(checked.results), pick(stored.results))

    const store = openDbReadOnly(db)
    try {
      const report = loadRunReportData(store, resolveReportRun(store, String(out.runId)))
      const gate = report.candidates.find((c) => c.label === 'lr-3e-3')!.gate!
      assert.equal(gate.id, hot.gateId)
      assert.deepEqual(pick(gate.results as Row[]), pick(stored.results))
    } finally {
      store.close()
    }
    // The sweep summary's OOD row is one of the stored rows, digit for digit.
    const w = hot.worstOod!
    const row = stored.results.find((r) => r.cohort === w.cohort && r.metric === w.metric && r.delta === w.delta)
    assert.ok(row, `the sweep's worst OOD row (${w.metric} on ${w.cohort}) is a stored row`)
    assert.deepEqual([row.ciLow, row.ciHigh], [w.ciLow, w.ciHigh])

    // runs show's table prints the stored rows.
    const table = lrgate(['runs', 'show', String(out.runId), '--db', db], {cwd})
    assert.equal(table.status, 0, table.stderr)
    assert.match(table.stdout, new RegExp(`Gate #${hot.gateId}: lr-3e-3 against`))
  })
})
