/**
 * Plays the retrain job that `lrgate init` writes on two "runners": clean folders that share only
 * what the workflow's artifacts carry. Every `run:` step of the YAML is executed with bash as
 * GitHub runs it (`bash -e`, $GITHUB_OUTPUT, step `if:` conditions, `${{ }}` expressions); the
 * `uses:` steps are emulated: checkout copies the repository, upload-artifact copies the declared
 * paths into an artifact store (hidden files left out unless `include-hidden-files`), and a `gh`
 * stand-in answers the restore step's `gh run list / api / run download` from that store. The one
 * step not executed is the install (apt-get and `npm install -g`; test/install/tarball.test.ts
 * covers installing): lrgate comes from this clone on the PATH instead.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, isAbsolute, join, relative, sep} from 'node:path'
import {before, describe, it} from 'node:test'
import {parse} from 'yaml'

import {WORKFLOW_FILE} from '../../src/init/workflow-template.js'
import {initProject} from '../../src/init/write.js'
import {buildIfStale, lrgate, withLrgateOnPath} from '../fixtures/eval/cli.js'
import {sweepFixture} from '../fixtures/sweep/workplace.js'

interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  env?: Record<string, string>
  with?: Record<string, unknown>
}
interface Workflow {
  env: Record<string, string>
  jobs: Record<string, {env?: Record<string, string>; steps: Step[]}>
}

type StepState = Record<string, {outcome: string; outputs: Record<string, string>}>

/** The `${{ }}` expressions the workflow uses: contexts, ||, &&, ==, !=, always(). */
function evaluate(expr: string, ctx: {steps: StepState; env: Record<string, string>; runId: string}): string | boolean {
  const e = expr.trim()
  const or = splitTop(e, '||')
  if (or.length > 1) {
    for (const part of or) {
      const v = evaluate(part, ctx)
      if (truthy(v)) return v
    }
    return ''
  }
  const and = splitTop(e, '&&')
  if (and.length > 1) return and.every((part) => truthy(evaluate(part, ctx)))
  const cmp = /^(.*?)\s*(==|!=)\s*(.*)$/.exec(e)
  if (cmp) {
    const [a, b] = [evaluate(cmp[1], ctx), evaluate(cmp[3], ctx)]
    return cmp[2] === '==' ? String(a) === String(b) : String(a) !== String(b)
  }
  if (e === 'always()') return true
  if (/^'.*'$/.test(e)) return e.slice(1, -1)
  const path = e.split('.')
  if (path[0] === 'steps') {
    const step = ctx.steps[path[1]]
    if (step === undefined) return ''
    return path[2] === 'outcome' ? step.outcome : step.outputs[path[3]] ?? ''
  }
  if (path[0] === 'env') return ctx.env[path[1]] ?? ''
  if (e === 'github.run_id') return ctx.runId
  if (e === 'github.token') return 'token-of-the-test'
  if (e === 'github.repository') return 'you/model-repo'
  if (path[0] === 'inputs' || path[0] === 'vars' || e === 'github.event.pull_request.number') return ''
  throw new Error(`expression the emulator does not know: ${e}`)
}

function splitTop(e: string, op: string): string[] {
  return e.split(op).map((s) => s.trim())
}

const truthy = (v: string | boolean) => v !== false && v !== ''

function substitute(text: string, ctx: Parameters<typeof evaluate>[1]): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => String(evaluate(expr, ctx)))
}

/** Files under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return ['']
  return readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter((f) => statSync(join(dir, f)).isFile())
}

/** actions/upload-artifact: the declared paths, relative to their common folder, into the store. */
function uploadArtifact(workspace: string, store: string, runId: string, options: Record<string, unknown>): void {
  const paths = String(options.path).split('\n').map((p) => p.trim()).filter((p) => p !== '')
  const hidden = options['include-hidden-files'] === true
  const absolute = paths.map((p) => (isAbsolute(p) ? p : join(workspace, p))).filter((p) => existsSync(p))
  if (absolute.length === 0) return
  const root = absolute.length === 1 && statSync(absolute[0]).isDirectory() ? absolute[0] : commonFolder(absolute)
  const target = join(store, runId, String(options.name))
  for (const path of absolute) {
    for (const file of filesUnder(path)) {
      const full = file === '' ? path : join(path, file)
      const rel = relative(root, full)
      // upload-artifact leaves out files with a hidden segment below the workspace unless told.
      if (!hidden && relative(workspace, full).split(sep).some((part) => part.startsWith('.'))) continue
      mkdirSync(dirname(join(target, rel)), {recursive: true})
      cpSync(full, join(target, rel))
    }
  }
}

function commonFolder(paths: string[]): string {
  let common = dirname(paths[0])
  while (!paths.every((p) => p.startsWith(common + sep))) common = dirname(common)
  return common
}

/** A stand-in for the gh CLI of GitHub's runners: the three calls of the restore step, from the store. */
function ghStandIn(bin: string): void {
  mkdirSync(bin, {recursive: true})
  const script = `#!/usr/bin/env node
const fs = require('node:fs'), path = require('node:path')
const store = process.env.ARTIFACT_STORE, args = process.argv.slice(2)
const runs = fs.existsSync(store) ? fs.readdirSync(store).sort((a, b) => Number(b) - Number(a)) : []
if (args[0] === 'run' && args[1] === 'list') { for (const r of runs) console.log(r); process.exit(0) }
if (args[0] === 'api') {
  const id = /actions\\/runs\\/(\\d+)\\/artifacts/.exec(args[1])[1]
  const name = /\\.name == "([^"]+)"/.exec(args[args.indexOf('--jq') + 1])[1]
  if (fs.existsSync(path.join(store, id, name))) console.log(id + '0' + runs.indexOf(id))
  process.exit(0)
}
if (args[0] === 'run' && args[1] === 'download') {
  const name = args[args.indexOf('--name') + 1], dir = args[args.indexOf('--dir') + 1]
  fs.cpSync(path.join(store, args[2], name), dir, {recursive: true})
  process.exit(0)
}
console.error('gh stand-in: unknown call ' + args.join(' ')); process.exit(1)
`
  writeFileSync(join(bin, 'gh'), script)
  chmodSync(join(bin, 'gh'), 0o755)
}

interface JobResult {
  steps: StepState
  logs: Record<string, string>
}

/** Runs the retrain job's steps in a fresh workspace, as GitHub would on a new runner. */
function runRetrain(workflow: Workflow, repo: string, store: string, runId: string, bin: string): JobResult {
  const workspace = mkdtempSync(join(tmpdir(), `lrgate-runner-${runId}-`))
  const job = workflow.jobs.retrain
  const steps: StepState = {}
  const logs: Record<string, string> = {}
  const baseEnv: Record<string, string> = {}
  const ctx = {steps, env: baseEnv, runId}
  for (const [k, v] of Object.entries({...workflow.env, ...job.env})) baseEnv[k] = substitute(String(v), ctx)
  let failed = false
  for (const [i, step] of job.steps.entries()) {
    const id = step.id ?? `step-${i}`
    const condition = step.if ?? ''
    const run = condition.includes('always()') ? truthy(evaluate(condition, ctx)) : !failed && (condition === '' || truthy(evaluate(condition, ctx)))
    if (!run) {
      steps[id] = {outcome: 'skipped', outputs: {}}
      continue
    }
    let ok = true
    const outputs: Record<string, string> = {}
    if (step.uses?.startsWith('actions/checkout@')) cpSync(repo, workspace, {recursive: true})
    else if (step.uses?.startsWith('actions/setup-node@')) {
      // Node is this test's own.
    } else if (step.uses?.startsWith('actions/upload-artifact@')) {
      const options = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, typeof v === 'string' ? substitute(v, ctx) : v]))
      uploadArtifact(workspace, store, runId, options)
    } else if (step.name?.startsWith('Install ')) {
      assert.match(step.run!, /npm install -g https:\/\/example\.com\/lrgate-0\.1\.0\.tgz/)
    } else if (step.run !== undefined) {
      const outputFile = join(workspace, `.github-output-${i}`)
      writeFileSync(outputFile, '')
      const env: NodeJS.ProcessEnv = {
        ...process.env, ...baseEnv,
        ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), ctx)])),
        PATH: withLrgateOnPath([bin, process.env.PATH].join(':')),
        GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: join(workspace, '.github-summary'), GITHUB_ACTIONS: 'true', ARTIFACT_STORE: store,
      }
      delete env.LRGATE_DB
      Object.assign(env, baseEnv)
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', substitute(step.run, ctx)], {cwd: workspace, env, encoding: 'utf8'})
      logs[id] = `${r.stdout}\n${r.stderr}`
      ok = r.status === 0
      for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
        const at = line.indexOf('=')
        if (at > 0) outputs[line.slice(0, at)] = line.slice(at + 1)
      }
      rmSync(outputFile)
    }
    steps[id] = {outcome: ok ? 'success' : 'failure', outputs}
    if (!ok) failed = true
  }
  return {steps, logs}
}

describe('the weekly retrain workflow of lrgate init, on two fresh runners', () => {
  before(() => buildIfStale())

  it('the second runner restores the database and the promoted model, re-scores it on the new eval version and gates', () => {
    // The model repository: tiny datasets (two versions each), lrgate init's files, a fast config.
    const {cwd: repo} = sweepFixture()
    const config = JSON.parse(readFileSync(join(repo, 'lrgate.config.json'), 'utf8')) as Record<string, unknown> & {sweep: Record<string, unknown>}
    rmSync(join(repo, 'lrgate.config.json'))
    initProject({dir: repo, installFrom: 'https://example.com/lrgate-0.1.0.tgz'})
    // 1e-4 improves the target for real, so each retrain has a recommendation to gate and promote;
    // the second trains longer, so it improves on the model the first promoted (the sweep gates
    // against the promoted model and recommends only what improves on it).
    const writeConfig = (evalRef: string, steps = config.sweep.steps as number) =>
      writeFileSync(join(repo, 'lrgate.config.yaml'), JSON.stringify({...config, datasets: {train: 'tiny-train@1', eval: evalRef}, sweep: {...config.sweep, lrs: [1e-4], steps}}, null, 2))
    writeConfig('tiny-eval@1')
    const workflow = parse(readFileSync(join(repo, WORKFLOW_FILE), 'utf8')) as Workflow
    const store = mkdtempSync(join(tmpdir(), 'lrgate-artifacts-'))
    const bin = mkdtempSync(join(tmpdir(), 'lrgate-gh-'))
    ghStandIn(bin)

    // Runner 1: nothing to restore, gated against the base model, promoted.
    const first = runRetrain(workflow, repo, store, '101', bin)
    const outcome = (r: JobResult) => Object.fromEntries(Object.entries(r.steps).filter(([id]) => !id.startsWith('step-')).map(([id, s]) => [id, s.outcome]))
    assert.deepEqual(outcome(first), {restore: 'success', sweep: 'success', check: 'success', promote: 'success'}, JSON.stringify(first.logs, null, 1))
    assert.match(first.logs.restore, /no earlier retrain saved a database/)
    const carried = filesUnder(join(store, '101', 'lrgate-state')).sort()
    assert.ok(carried.includes('lrgate.db'), carried.join(', '))
    assert.ok(carried.some((f) => /^runs\/\d+-[0-9a-f]+\/lr-1e-4\/model\/weights\.bin$/.test(f)), `the promoted model is carried: ${carried.join(', ')}`)

    // The eval dataset gets a new version; a new runner (another folder) takes the next retrain.
    writeConfig('tiny-eval@2', 3 * (config.sweep.steps as number))
    const second = runRetrain(workflow, repo, store, '102', bin)
    assert.deepEqual(outcome(second), {restore: 'success', sweep: 'success', check: 'success', promote: 'success'}, JSON.stringify(second.logs, null, 1))
    assert.match(second.logs.restore, /restored the lrgate database \(and the promoted model\) of run 101/)
    const state = join(store, '102', 'lrgate-state')
    const history = JSON.parse(lrgate(['runs', 'list', '--json', '--db', join(state, 'lrgate.db')], {cwd: state}).stdout) as {
      evaluations: {label: string; datasetRef: string}[]
      promotions: {label: string}[]
      gates: {baselineLabel: string; verdict: string}[]
    }
    assert.match(second.logs.sweep, /gated against the promoted model/)
    // The promoted model of runner 1 was scored on tiny-eval@2 on runner 2 and gated against.
    const rescored = history.evaluations.find((e) => e.label.endsWith('/lr-1e-4@tiny-eval@2'))
    assert.ok(rescored, history.evaluations.map((e) => e.label).join(', '))
    assert.equal(history.promotions.length, 2)
    assert.ok(history.gates.some((g) => g.baselineLabel === rescored.label && g.verdict === 'pass'), JSON.stringify(history.gates))
  })
})
