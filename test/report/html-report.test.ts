import {XMLValidator} from 'fast-xml-parser'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {before, describe, it} from 'node:test'

import {DEFAULT_CONFIG} from '../../src/config/defaults.js'
import {modelColors} from '../../src/report/html/colors.js'
import {renderRunReport} from '../../src/report/html/index.js'
import {candidateLabel} from '../../src/sweep/plan.js'
import type {RunReportData} from '../../src/report/html/types.js'
import {loadRunReportData, resolveReportRun} from '../../src/report/run-report-data.js'
import {finishTraining, insertCandidates, recordSteps, markCandidateEvaluated, setCandidateVerdict} from '../../src/store/candidates.js'
import {type Store, nowIso, openStore} from '../../src/store/db.js'
import {insertEvaluation} from '../../src/store/evaluations.js'
import {type GateResultRow, insertGate} from '../../src/store/gates.js'
import {insertRun, setBaseEvaluation, setRecommended, setRunStatus} from '../../src/store/runs.js'
import {buildIfStale, lrgate, ROOT} from '../fixtures/eval/cli.js'
import {countColor, decodePng} from '../fixtures/report/png.js'
import {sql} from '../../src/store/sql.js'

const CHROMIUM = '/usr/bin/chromium'
const STEPS = 60
const COHORTS = ['target:food', 'ood:animal', 'ood:news']
const RUN_NAME = 'weekly <2024> & "co"'
const LRS = [5e-5, 1e-4, 5e-4, 1e-3]
const label = candidateLabel

/** Per-cohort metrics of a fake evaluation: relevance shifted by `shift` on the OOD cohorts, `target` on the target. */
function cohortRows(target: number, shift: number) {
  return COHORTS.flatMap((cohort, i) => {
    const relevance = 0.4 + 0.05 * i + (cohort.startsWith('target') ? target : shift)
    const perplexity = 6 + i - 5 * shift
    return [
      {cohort, metric: 'relevance', value: relevance, ciLow: relevance - 0.03, ciHigh: relevance + 0.03, n: 60},
      {cohort, metric: 'perplexity', value: perplexity, ciLow: perplexity - 0.4, ciHigh: perplexity + 0.4, n: 60},
      {cohort, metric: 'failRate', value: 0.1 - shift / 2, ciLow: 0.05 - shift / 2, ciHigh: 0.15 - shift / 2, n: 60},
    ]
  })
}

/** A small sweep as `lrgate sweep` stores it: base evaluation, 4 candidates (one diverged), gates. */
function fakeSweep(db: Store): number {
  const datasetId = Number(
    sql(db)
      .prepare("INSERT INTO datasets (name, version, hash, path, records, cohorts, first_used) VALUES ('example-eval', '1', 'abc', '/x', 180, '{}', ?)")
      .run(nowIso()).lastInsertRowid,
  )
  const runId = insertRun(db, {
    kind: 'sweep', name: RUN_NAME, seed: 7, config: DEFAULT_CONFIG, backend: 'cpu', backendReason: 'forced by test',
    baseModel: 'example', trainDatasetId: datasetId, evalDatasetId: datasetId,
  })
  const evaluation = (name: string, target: number, shift: number) =>
    insertEvaluation(db, {label: name, datasetId, datasetHash: 'abc', source: 'outputs', runId, evaluators: [], seed: 7}, [], cohortRows(target, shift))
  const baseId = evaluation('base', 0, 0)
  setBaseEvaluation(db, runId, baseId)
  const ids = insertCandidates(
    db,
    runId,
    LRS.map((lr) => ({label: label(lr), lr, schedule: {type: 'cosine', warmupRatio: 0.1, lr, steps: STEPS}, seed: 7, stepsTotal: STEPS, artifactDir: `/tmp/${lr}`})),
  )
  for (const [i, lr] of LRS.entries()) {
    const diverged = i === 3
    const done = diverged ? 35 : STEPS
    const warmup = 6
    const steps = Array.from({length: done}, (_, step) => {
      const rate = step < warmup ? (lr * step) / warmup : lr * 0.5 * (1 + Math.cos((Math.PI * (step - warmup)) / (STEPS - warmup)))
      const loss = diverged && step > 25 ? 2.5 * 1.4 ** (step - 25) : 3 * Math.exp(-lr * 2000 * step / STEPS) + 0.05 * Math.sin(step)
      return {step, lr: rate, loss, gradNorm: 1, clipped: false, tokensPerS: 1000, valLoss: step % 10 === 9 ? loss + 0.1 : null}
    })
    recordSteps(db, ids[i], done, steps)
    finishTraining(db, ids[i], {
      status: diverged ? 'diverged' : 'completed', reason: diverged ? 'loss 40.1 ≥ 4 × its running mean' : null,
      stepsDone: done, finalTrainLoss: steps[done - 1].loss, finalValLoss: diverged ? null : steps[done - 1].loss + 0.1,
    })
    if (diverged) continue
    const evalId = evaluation(label(lr), 0.02 * (i + 1), i === 2 ? -0.12 : -0.005)
    const fail = i === 2
    const rows: GateResultRow[] = COHORTS.filter((c) => c.startsWith('ood')).map((cohort) => ({
      rule: 'relevance maxDrop 0.02', ruleIndex: 0, limitKind: 'maxDrop', limitSide: 'atLeast', relative: false, records: 16, inconclusive: false, recordsNeeded: null,
      pValue: null, adjustedP: null, decided: null,
      cohort, metric: 'relevance', baseline: 0.45, candidate: fail ? 0.33 : 0.445,
      delta: fail ? -0.12 : -0.005, ciLow: fail ? -0.15 : -0.02, ciHigh: fail ? -0.09 : 0.01, limit: -0.02,
      status: fail ? 'fail' : 'pass', message: fail ? 'delta -0.120 lies wholly below the limit -0.020' : 'within the limit',
    }))
    rows.push({rule: 'perplexity maxRise 0.05 relative', ruleIndex: 1, limitKind: 'maxRise', limitSide: 'atMost', relative: true, records: 20, inconclusive: false, recordsNeeded: null,
      pValue: null, adjustedP: null, decided: null, cohort: 'ood:news', metric: 'perplexity', baseline: 8, candidate: 8.1, delta: 0.0125, ciLow: -0.01, ciHigh: 0.03, limit: 0.05, status: 'pass', message: 'within the limit'})
    const gateId = insertGate(
      db,
      {candidateEvaluationId: evalId, baselineEvaluationId: baseId, verdict: fail ? 'fail' : 'pass', confidence: 0.95, resamples: 2000, seed: 7, rules: DEFAULT_CONFIG.gate.rules, sharedRecords: 180},
      rows,
    )
    markCandidateEvaluated(db, ids[i], evalId)
    setCandidateVerdict(db, ids[i], gateId, fail ? 'fail' : 'pass')
  }
  setRecommended(db, runId, ids[1])
  setRunStatus(db, runId, 'completed')
  return runId
}

const svgCount = (html: string) => (html.match(/<svg[\s>]/g) ?? []).length

/** The SVG inside the figure with this id. */
function figureSvg(html: string, id: string): string {
  const m = new RegExp(`<figure id="${id}">([\\s\\S]*?)</figure>`).exec(html)
  assert.ok(m, `figure ${id} missing`)
  return m[1]
}

let dir: string
let dbFile: string
let runId: number
let data: RunReportData
let html: string
let charts: number

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lrgate-html-report-'))
  dbFile = join(dir, 'lrgate.db')
  const db = openStore(dbFile)
  runId = fakeSweep(db)
  data = loadRunReportData(db, resolveReportRun(db, 'latest'))
  db.close()
  ;({html, charts} = await renderRunReport(data))
})

describe('HTML run report', () => {
  it('loads the run from the store into plain objects', () => {
    assert.equal(data.run.id, runId)
    assert.equal(data.run.recommendedLabel, 'lr-1e-4')
    assert.equal(data.run.evalDataset, 'example-eval@1')
    assert.deepEqual(data.candidates.map((c) => [c.label, c.status, c.steps.length, c.verdict]), [
      ['lr-5e-5', 'completed', 60, 'pass'], ['lr-1e-4', 'completed', 60, 'pass'], ['lr-5e-4', 'completed', 60, 'fail'], ['lr-1e-3', 'diverged', 35, null],
    ])
    // The planned schedule is the stored spec's: warmup 6 steps from 0, then cosine to 0 at step 60.
    const planned = data.candidates[3].plannedLr!
    assert.equal(planned.length, STEPS)
    assert.equal(planned[0], 0)
    assert.ok(Math.abs(planned[6] - 1e-3) < 1e-15)
    assert.ok(Math.abs(data.candidates[3].steps[20].lr - planned[20]) < 1e-12)
    // Gate rows carry how to read their limit, from the rule that produced them.
    const rows = data.candidates[2].gate!.results
    assert.deepEqual(rows.map((r) => [r.status, r.limitSide, r.relative]), [['fail', 'atLeast', false], ['fail', 'atLeast', false], ['pass', 'atMost', true]])
    assert.equal(data.base!.metrics.length, 9)
    assert.equal(data.candidates[3].metrics.length, 0)
  })

  it('is well-formed, self-contained, and holds one SVG per chart', () => {
    assert.equal(XMLValidator.validate(html), true)
    // LR schedule, losses, and one per metric (relevance, perplexity, failRate)
    assert.equal(charts, 6) // trade-off, schedule, loss, and one per metric (relevance, perplexity, failRate)
    assert.equal(svgCount(html), 6)
    const ids = [...html.matchAll(/<figure id="([^"]+)">/g)].map((m) => m[1])
    assert.deepEqual(ids, ['chart-tradeoff', 'chart-lr', 'chart-loss', 'chart-metric-relevance', 'chart-metric-perplexity', 'chart-metric-failrate'])
    for (const id of ids) assert.equal(svgCount(figureSvg(html, id)), 1, id)
    assert.doesNotMatch(html, /<script|<link|<img|<iframe/i)
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//)
  })

  it('draws the data: candidates in the training charts, cohorts and models in the bars', () => {
    const lr = figureSvg(html, 'chart-lr')
    for (const c of data.candidates) assert.ok(lr.includes(`>${c.label}<`), `${c.label} in the LR legend`)
    // One solid line per candidate plus the diverged candidate's planned rest, dashed.
    assert.equal((lr.match(/class="mark-line role-mark/g) ?? []).length, 5)
    assert.match(lr, /stroke-dasharray="6,4"/)
    const loss = figureSvg(html, 'chart-loss')
    assert.ok(loss.includes('>validation<') && loss.includes('>training<'))
    const relevance = figureSvg(html, 'chart-metric-relevance')
    for (const name of [...COHORTS, 'base', 'lr-5e-5', 'lr-1e-4', 'lr-5e-4']) assert.ok(relevance.includes(`>${name}<`), name)
    assert.ok(!relevance.includes('>lr-1e-3<'), 'the diverged candidate has no evaluation')
    // 4 evaluations × 3 cohorts bars, each with a CI whisker
    assert.equal((relevance.match(/aria-roledescription="bar"/g) ?? []).length, 12)
    assert.equal((relevance.match(/aria-roledescription="errorbar"/g) ?? []).length, 12)
  })

  it('tables: header facts escaped, verdicts with failing rules, gate rows per candidate', () => {
    assert.ok(html.includes('weekly &lt;2024&gt; &amp; &quot;co&quot;'))
    assert.ok(!html.includes(RUN_NAME))
    assert.match(html, /<dt>recommended<\/dt><dd>lr-1e-4<\/dd>/)
    assert.match(html, /<dt>backend<\/dt><dd>cpu \(forced by test\)<\/dd>/)
    const verdicts = /<table class="verdicts">([\s\S]*?)<\/table>/.exec(html)![1]
    const rows = verdicts.split('<tr>').slice(2)
    assert.equal(rows.length, 4)
    assert.match(rows[1], /lr-1e-4 <span class="badge good" title="recommended">/)
    assert.match(rows[2], /badge bad">fail<\/span><\/td><td>relevance maxDrop 0\.02 on ood:animal<br\/>relevance maxDrop 0\.02 on ood:news</)
    assert.match(rows[3], /diverged<\/span> <span class="muted">loss 40\.1/)
    const gates = [...html.matchAll(/<table class="gate">([\s\S]*?)<\/table>/g)].map((m) => m[1])
    assert.equal(gates.length, 3)
    assert.match(gates[2], /<td>relevance maxDrop 0\.02<\/td><td>ood:animal<\/td><td class="num">0\.450<\/td><td class="num">0\.330<\/td><td class="num">-0\.120<\/td><td class="num">\[-0\.150, -0\.090\]<\/td><td class="num">≥ -0\.020<\/td>/)
    assert.match(gates[2], /<td class="num">\+1\.3%<\/td><td class="num">\[-1\.0%, \+3\.0%\]<\/td><td class="num">≤ \+5\.0%<\/td>/)
    assert.match(html, /<h3>lr-1e-3<\/h3>\n<p class="muted">No gate decision \(status diverged\)/)
  })

  it('a run with nothing recorded yet still renders (schedule only)', async () => {
    const bare: RunReportData = {...data, base: null, candidates: data.candidates.map((c) => ({...c, steps: [], metrics: [], gate: null, verdict: null, status: 'pending'}))}
    const report = await renderRunReport(bare)
    assert.equal(report.charts, 1)
    assert.equal(svgCount(report.html), 1)
    assert.equal(XMLValidator.validate(report.html), true)
    assert.match(report.html, /Nothing of this run was evaluated yet/)
  })

  it('the report modules do not reach tfjs, src/model, src/train or src/compute', () => {
    const seen = new Set<string>()
    const packages = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:^(?:import|export)\s(?!type\s)[^;]*?from\s+|import\()'([^']+)'/gm)) {
        if (!m[1].startsWith('.')) packages.add(m[1])
        else if (existsSync(resolve(dirname(file), m[1].replace(/\.js$/, '.ts')))) visit(resolve(dirname(file), m[1].replace(/\.js$/, '.ts')))
      }
    }
    visit(join(ROOT, 'src/commands/report.ts'))
    assert.ok(seen.has(join(ROOT, 'src/report/html/render.ts')) && packages.has('vega'), 'the walker follows the dynamic imports')
    const heavy = [...seen, ...packages].filter((f) => /^@tensorflow\/|\/src\/(model|train|compute)\//.test(f))
    assert.deepEqual(heavy, [])
  })
})

describe('lrgate report (CLI)', () => {
  before(() => buildIfStale())
  const run = (...args: string[]) => lrgate([...args, '--db', dbFile], {cwd: dir})

  it('writes lrgate-report-<id>.html for "latest" and prints {file, charts} with --json', () => {
    const r = run('report', 'latest', '--json')
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {file: string; charts: number}
    assert.deepEqual(out, {schemaVersion: 1, file: join(dir, `lrgate-report-${runId}.html`), charts: 6})
    assert.equal(svgCount(readFileSync(out.file, 'utf8')), 6)
    const named = run('report', String(runId), '--out', 'sub/r.html')
    assert.equal(named.status, 0, named.stderr)
    assert.match(named.stdout, /wrote .*sub\/r\.html: run #1, 4 candidates, 6 charts/)
  })

  it('an unknown run exits 2 naming the runs that exist', () => {
    const r = run('report', '99')
    assert.equal(r.status, 2)
    assert.match(r.stderr, /^lrgate: run "99": there is no run #99; recent runs are #1 \(weekly <2024> & "co"\)/)
    const bad = run('report', 'yesterday')
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /run "yesterday": give a run id or "latest"/)
  })

  it('headless Chromium screenshot shows the page', (t) => {
    if (!existsSync(CHROMIUM)) {
      t.skip(`${CHROMIUM} is not installed (apt-get install chromium); the screenshot check needs it`)
      return
    }
    const page = join(dir, 'screenshot.html')
    assert.equal(run('report', 'latest', '--out', page).status, 0)
    const png = join(dir, 'report.png')
    const r = spawnSync(join(ROOT, 'scripts', 'screenshot-report.sh'), [page, png], {encoding: 'utf8', timeout: 60_000})
    assert.equal(r.status, 0, r.stderr)
    const bytes = readFileSync(png)
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG')
    // IHDR: width and height of the window
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [1280, 2000])
    assert.ok(statSync(png).size > 60_000, `screenshot is only ${statSync(png).size} bytes`)
    // The charts were drawn: every candidate's and the base model's colour covers real area.
    const pixels = decodePng(bytes)
    const {domain, range} = modelColors('base', LRS.map(label))
    for (const [i, color] of range.entries()) {
      const n = countColor(pixels, color)
      assert.ok(n > 200, `${domain[i]} (${color}) covers only ${n} pixels of the screenshot`)
    }
    t.diagnostic(`screenshot: ${png}`)
  })
})

describe('HTML report: inconclusive rows and the baseline named as the sweep names it', () => {
  it('a passing row whose interval reaches past its limit reads "pass (?)" with the records that would settle it', async () => {
    const {verdictTable, gateTable} = await import('../../src/report/html/tables.js')
    const candidates = data.candidates.map((c, i) =>
      i !== 1 || c.gate === null ? c : {...c, gate: {...c.gate, results: c.gate.results.map((r) => (r.metric === 'perplexity' ? {...r, inconclusive: true, recordsNeeded: 410, message: 'cohort too small to show the limit holds'} : r))}},
    )
    const verdicts = verdictTable({...data, candidates})
    const row = verdicts.split('<tr>')[3]
    assert.match(row, /badge neutral">pass \(\?\)<\/span><\/td><td>\(\?\) perplexity maxRise 0\.05 relative on ood:news \(about 410 records would be needed; have 20\)<\/td>/)
    assert.match(gateTable(candidates[1].gate!), /badge neutral">pass \(\?\)<\/span> <span class="muted">cohort too small to show the limit holds<\/span>/)
  })

  it('"Gate results against" names the base model, or the promoted model when the sweep was gated against it', async () => {
    const {gateBaselineName} = await import('../../src/report/html/page.js')
    assert.equal(gateBaselineName(data), 'the base model (base)')
    assert.match(html, /<h2>Gate results against the base model \(base\)<\/h2>/)
    const promoted = {
      ...data,
      run: {...data.run, config: {...(data.run.config as object), gate: {...DEFAULT_CONFIG.gate, baseline: 'promoted'}}},
      candidates: data.candidates.map((c) => (c.gate === null ? c : {...c, gate: {...c.gate, baselineLabel: 'week-1/lr-3e-4'}})),
    }
    assert.equal(gateBaselineName(promoted), 'the promoted model (week-1/lr-3e-4)')
  })
})
