import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {before, describe, it} from 'node:test'

import {buildIfStale, lrgate, ROOT} from '../fixtures/eval/cli.js'
import {sweepFixture, queryDb as query} from '../fixtures/sweep/workplace.js'
import {processesWithEnv} from '../../src/trainer/supervisor.js'
import {validateSchedule} from '../../src/schedule/index.js'
import {modelTokenizerIdentity} from '../../src/model/tokenizer-id.js'
import {initBackend} from '../../src/compute/backend.js'
import {Gpt} from '../../src/model/gpt.js'
import {saveModel} from '../../src/model/io.js'
import {CharTokenizer} from '../../src/model/tokenizer.js'

const FAKE = join(ROOT, 'test', 'fixtures', 'trainer', 'fake-trainer.mjs')
const GEN = join(ROOT, 'test', 'fixtures', 'trainer', 'gen-outputs.mjs')
const NODE = process.execPath
const SECRET = 'sk-test-9f8e7d6c5b4a'

interface SweepJson {
  runId: number
  status: string
  candidates: Array<{label: string; lr: number; status: string; evaluationId: number | null; verdict: string | null}>
}

const one = (db: string, sql: string, ...args: unknown[]): unknown => Object.values(query<Record<string, unknown>>(db, sql, ...args)[0] ?? {})[0]

/** Every file under a folder (for the secret grep). */
function files(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))
}

function sweepAsync(cwd: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(NODE, [join(ROOT, 'bin', 'run.js'), 'sweep', ...args], {cwd, env: {...process.env, LRGATE_DB: '', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = '', stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {child, exited, out: () => stdout, err: () => stderr}
}

// A tiny random base model (the example's tokenizer): the trainers here are fakes, so what the tests
// need from the model is only that lrgate evaluates it, and fast (CI time).
let BASE = ''
const tiny = (lrs: number[], steps = 8) => ({baseModel: BASE, sweep: {lrs, steps, batchSize: 4, parallel: 2, valEvery: 4, checkpointEvery: 4}})

describe('lrgate sweep --trainer (real trainer processes)', () => {
  before(async () => {
    buildIfStale()
    await initBackend('auto')
    BASE = join(mkdtempSync(join(tmpdir(), 'lrgate-trainer-')), 'tiny base')
    await saveModel(BASE, Gpt.init({vocabSize: 96, contextLength: 64, dModel: 16, nLayers: 1, nHeads: 2, dropout: 0, tiedHead: true}, 3), CharTokenizer.ascii())
  })

  it('passes every placeholder shell-quoted, reads the step log between junk lines, masks secrets everywhere', () => {
    const {cwd} = sweepFixture(tiny([1e-3]))
    const db = join(cwd, 'my runs', 'lrgate.db') // a space in every path the trainer gets
    const template = `${NODE} ${FAKE} --config {config} --lr {lr} --steps {steps} --warmup {warmup_steps} --bs {batch_size} --seed {seed} --candidate {candidate} --base {base} --train {train} --out {output_dir} --resume {resume_from} --end`
    const r = lrgate(['sweep', '--json', '--db', db, '--trainer', template], {cwd, env: {FAKE_SECRET_TOKEN: SECRET}})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as SweepJson
    assert.deepEqual(out.candidates.map((c) => [c.label, c.status]), [['lr-1e-3', 'completed']])

    const candidateDir = join(cwd, 'my runs', 'runs', readdirSync(join(cwd, 'my runs', 'runs'))[0], 'lr-1e-3')
    const got = JSON.parse(readFileSync(join(candidateDir, 'received.json'), 'utf8')) as {argv: string[]; env: Record<string, string>; config: Record<string, unknown>}
    const arg = (flag: string) => got.argv[got.argv.indexOf(flag) + 1]
    const outputDir = join(candidateDir, 'model')
    assert.deepEqual(
      ['--lr', '--steps', '--warmup', '--bs', '--seed', '--candidate', '--base', '--train', '--out', '--resume', '--config'].map(arg),
      ['0.001', '8', '1', '4', '7', 'lr-1e-3', BASE, join(cwd, 'datasets', 'tiny-train', '1'), outputDir, '', join(candidateDir, 'trainer-config.json')],
    )
    assert.equal(got.argv.at(-1), '--end', 'an empty {resume_from} is still one (empty) argument')
    assert.deepEqual(got.env, {LRGATE_CANDIDATE: 'lr-1e-3', LRGATE_RUN_ID: String(out.runId), LRGATE_OUTPUT_DIR: outputDir})
    // {config}: the placeholders' values and lr_schedule, the rate of every step, as `lrgate schedule` gives it.
    const schedule = validateSchedule({type: 'cosine', warmupRatio: 0.1}, {lr: 1e-3, steps: 8})
    assert.deepEqual(got.config.lr_schedule, Array.from({length: 8}, (_, t) => schedule.lrAt(t)))
    assert.equal(got.config.output_dir, outputDir)
    assert.equal(got.config.warmup_steps, 1)

    // Steps: every JSON step line became a row; junk lines went to trainer.log.
    const rows = query<{step: number; lr: number; loss: number; grad_norm: number; val_loss: number | null}>(db, 'SELECT step, lr, loss, grad_norm, val_loss FROM train_steps ORDER BY step')
    assert.deepEqual(rows.map((s) => s.step), [0, 1, 2, 3, 4, 5, 6, 7])
    assert.equal(rows[2].loss, 2.98)
    assert.equal(rows[2].lr, schedule.lrAt(2))
    assert.ok(Math.abs(rows[3].val_loss! - 3.07) < 1e-12)
    assert.equal(rows[0].grad_norm, 0.5)
    const log = readFileSync(join(candidateDir, 'trainer.log'), 'utf8')
    assert.match(log, /^step 3: junk line \{not json\}$/m)
    assert.match(log, /^\{"note": "a JSON object without step and loss"\}$/m)
    assert.doesNotMatch(log, /"loss"/, 'step lines are rows, not log lines')
    assert.match(log, /connecting with token \*\*\*$/m)
    assert.equal(one(db, 'SELECT warnings FROM candidates'), null, 'the lrs match lr_schedule: no warning')

    // The secret is in no stored byte: database, its WAL, the artifact folder.
    for (const file of [db, `${db}-wal`, ...files(join(cwd, 'my runs', 'runs'))]) {
      if (existsSync(file)) assert.ok(!readFileSync(file).includes(SECRET), `${file} holds the secret`)
    }
    assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET))
  })

  it('a trainer that exits 3 fails its candidate only; --resume reruns it from its checkpoint, never the completed one', () => {
    const {cwd, db} = sweepFixture(tiny([1e-4, 3e-4]))
    const template = `${NODE} ${FAKE} --config {config}`
    const r = lrgate(['sweep', '--json', '--db', db, '--trainer', template], {cwd, env: {FAKE_MODES: JSON.stringify({'lr-3e-4': 'exit3'}), FAKE_SECRET_TOKEN: SECRET}})
    assert.equal(r.status, 0, `a failed candidate does not fail the sweep (README): ${r.stderr}`)
    const out = JSON.parse(r.stdout) as SweepJson
    assert.deepEqual(out.candidates.map((c) => [c.label, c.status, c.verdict]), [['lr-1e-4', 'completed', 'pass'], ['lr-3e-4', 'failed', null]])
    const reason = one(db, "SELECT status_reason FROM candidates WHERE label = 'lr-3e-4'") as string
    assert.match(reason, /^the trainer exited with status 3 after 5 of 8 steps/)
    assert.match(r.stderr, /lr-3e-4 \| RuntimeError: CUDA out of memory \(pretend\)/, 'the last log lines are shown')
    const show = lrgate(['runs', 'show', String(out.runId), '--db', db], {cwd})
    assert.match(show.stdout, /lr-3e-4: the trainer's last \d+ log lines:\n(  \| .*\n)*  \| Traceback \(most recent call last\):\n  \| RuntimeError: CUDA out of memory \(pretend\)/)
    assert.match(show.stdout, /\| debug: FAKE_SECRET_TOKEN=\*\*\*/)
    const firstRun = statSync(join(dirnameOf(db, out.runId, 'lr-1e-4'), 'received.json')).mtimeMs

    const resumed = lrgate(['sweep', '--resume', String(out.runId), '--json', '--db', db], {cwd})
    assert.equal(resumed.status, 0, resumed.stderr)
    const again = JSON.parse(resumed.stdout) as SweepJson
    assert.deepEqual(again.candidates.map((c) => [c.label, c.status]), [['lr-1e-4', 'completed'], ['lr-3e-4', 'completed']])
    assert.match(resumed.stderr, /lr-3e-4: resuming the trainer from .*checkpoint-4/)
    const received = JSON.parse(readFileSync(join(dirnameOf(db, out.runId, 'lr-3e-4'), 'received.json'), 'utf8')) as {config: {resume_from: string}}
    assert.match(received.config.resume_from, /lr-3e-4\/model\/checkpoint-4$/)
    assert.equal(statSync(join(dirnameOf(db, out.runId, 'lr-1e-4'), 'received.json')).mtimeMs, firstRun, 'the completed candidate is not rerun')
    assert.equal(one(db, "SELECT count(DISTINCT step) FROM train_steps s JOIN candidates c ON c.id = s.candidate_id WHERE c.label = 'lr-3e-4'"), 8)
    assert.equal(one(db, 'SELECT count(*) FROM evaluations'), 3, 'base and each candidate evaluated once')
    assert.equal(one(db, "SELECT log_tail FROM candidates WHERE label = 'lr-3e-4'"), null)
    for (const file of [db, `${db}-wal`, ...files(join(cwd, '.lrgate', 'runs'))]) {
      if (existsSync(file)) assert.ok(!readFileSync(file).includes(SECRET), `${file} holds the secret`)
    }
  })

  it('a hanging trainer is stopped at trainer.timeoutMinutes and its candidate failed', () => {
    const {cwd, db} = sweepFixture({...tiny([1e-4]), trainer: {command: `${NODE} ${FAKE} --config {config} --mode hang`, timeoutMinutes: 0.05}})
    const started = Date.now()
    const r = lrgate(['sweep', '--json', '--db', db], {cwd})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as SweepJson
    assert.equal(out.candidates[0].status, 'failed')
    assert.match(one(db, 'SELECT status_reason FROM candidates') as string, /^the trainer ran longer than trainer\.timeoutMinutes \(0\.05 min\) and was stopped after 2 of 8 steps/)
    assert.ok(Date.now() - started < 120_000)
    assert.deepEqual(processesWithEnv('LRGATE_OUTPUT_DIR', one(db, 'SELECT artifact_dir FROM candidates') as string), [], 'no trainer process is left')
  })

  it('kill -9 of the sweep while a trainer runs: the trainer goes too; --resume stops a stray one and continues from the checkpoint', async () => {
    const {cwd, db} = sweepFixture(tiny([1e-4], 16))
    const run = sweepAsync(cwd, ['--json', '--db', db, '--trainer', `${NODE} ${FAKE} --config {config} --delay-ms 400`])
    for (let i = 0; i < 900; i++) {
      await sleep(100)
      try {
        if ((one(db, 'SELECT count(*) FROM train_steps') as number) >= 6) break
      } catch {
        // no database yet
      }
    }
    run.child.kill('SIGKILL')
    await run.exited
    const outputDir = one(db, 'SELECT artifact_dir FROM candidates') as string
    let left = processesWithEnv('LRGATE_OUTPUT_DIR', outputDir)
    for (let i = 0; i < 50 && left.length > 0; i++, left = processesWithEnv('LRGATE_OUTPUT_DIR', outputDir)) await sleep(100)
    assert.deepEqual(left, [], `the trainer outlived the sweep; ${run.err()}`)
    const stored = one(db, 'SELECT count(*) FROM train_steps') as number
    assert.ok(stored >= 6 && stored < 16, `killed mid-way (${stored})`)

    // A trainer of a dead owner still running on that folder (as after a crash of the whole machine's session).
    const stray = spawn('sleep', ['300'], {detached: true, stdio: 'ignore', env: {...process.env, LRGATE_OUTPUT_DIR: outputDir}})
    await sleep(200)
    const runId = one(db, 'SELECT max(id) FROM runs') as number
    const resumed = lrgate(['sweep', '--resume', String(runId), '--json', '--db', db], {cwd})
    assert.equal(resumed.status, 0, resumed.stderr)
    assert.match(resumed.stderr, /stopping a trainer left running on .* \(process group \d+\)/)
    const strayEnd = stray.exitCode !== null || stray.signalCode !== null ? stray.signalCode : await Promise.race([new Promise((r) => stray.once('exit', (_c, s) => r(s))), sleep(5000).then(() => 'still running')])
    assert.equal(strayEnd, 'SIGTERM')
    assert.match(resumed.stderr, /resuming the trainer from .*checkpoint-\d+/)
    assert.deepEqual((JSON.parse(resumed.stdout) as SweepJson).candidates.map((c) => c.status), ['completed'])
    assert.equal(one(db, 'SELECT count(*) FROM train_steps'), 16)
  })

  it('trainer_state.json as the step source; a diverging trainer is stopped; an lr off the schedule is a stored warning', () => {
    const {cwd, db} = sweepFixture({...tiny([1e-4]), trainer: {command: `${NODE} ${FAKE} --config {config}`, log: 'trainer_state'}})
    writeFileSync(join(cwd, 'jsonl.json'), JSON.stringify({...tiny([1e-4, 3e-4]), trainer: {command: `${NODE} ${FAKE} --config {config}`}}))
    const r = lrgate(['sweep', '--json', '--db', db], {cwd, env: {FAKE_MODES: JSON.stringify({'lr-1e-4': 'hf'})}})
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual((JSON.parse(r.stdout) as SweepJson).candidates.map((c) => c.status), ['completed'])
    const rows = query<{step: number; loss: number; val_loss: number | null}>(db, "SELECT step, loss, val_loss FROM train_steps s JOIN candidates c ON c.id = s.candidate_id WHERE c.label = 'lr-1e-4' ORDER BY step")
    assert.deepEqual(rows.map((s) => s.step), [0, 1, 2, 3, 4, 5, 6, 7])
    assert.equal(rows[5].loss, 2.95)
    assert.ok(Math.abs(rows[3].val_loss! - 3.17) < 1e-12, 'eval_loss of global step 4 on step 3')
    assert.equal(one(db, 'SELECT count(*) FROM candidates WHERE warnings IS NOT NULL'), 0, "Trainer's next-step learning_rate matches lr_schedule")

    const db2 = join(cwd, 'second.db')
    const r2 = lrgate(['sweep', '--json', '--db', db2, '--config', 'jsonl.json'], {cwd, env: {FAKE_MODES: JSON.stringify({'lr-1e-4': 'diverge', 'lr-3e-4': 'wrong-lr'})}})
    assert.equal(r2.status, 0, r2.stderr)
    assert.deepEqual((JSON.parse(r2.stdout) as SweepJson).candidates.map((c) => c.status), ['diverged', 'completed'])
    assert.match(one(db2, "SELECT status_reason FROM candidates WHERE label = 'lr-1e-4'") as string, /for 3 steps in a row at step 6$/)
    const divergedDir = one(db2, "SELECT artifact_dir FROM candidates WHERE label = 'lr-1e-4'") as string
    assert.ok(!existsSync(join(divergedDir, 'model.json')), 'stopped before it saved a model')
    assert.doesNotMatch(readFileSync(join(divergedDir, '..', 'trainer.log'), 'utf8'), /^saved$/m)
    const warnings = JSON.parse(one(db2, "SELECT warnings FROM candidates WHERE label = 'lr-3e-4'") as string) as string[]
    assert.match(warnings[0], /^the trainer's lr differs from lr_schedule \(more than 0\.000001 relative\) at 7 of 8 logged steps; first at step 0: reported 0\.0003, lr_schedule 0$/)
    assert.match(r2.stderr, /lr-3e-4: warning: the trainer's lr differs from lr_schedule/)
  })

  it('eval.outputsCommand evaluates every model through the user\'s own generation script', () => {
    const {cwd, db} = sweepFixture({...tiny([1e-4]), eval: {generation: {maxTokens: 12, batchSize: 32}, resamples: 200, outputsCommand: `${NODE} ${GEN} {model} {dataset} {outputs}`}})
    const r = lrgate(['sweep', '--json', '--db', db, '--trainer', `${NODE} ${FAKE} --config {config} --mode no-model`], {cwd})
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual((JSON.parse(r.stdout) as SweepJson).candidates.map((c) => c.status), ['completed'])
    const evals = query<{source: string; outputs_file: string}>(db, 'SELECT source, outputs_file FROM evaluations ORDER BY id')
    assert.deepEqual(evals.map((e) => e.source), ['outputs', 'outputs'])
    // the candidate's evaluation by its label: the base model's and the candidate's are stored by two workers in either order
    assert.match(one(db, "SELECT o.output FROM record_outputs o JOIN evaluations e ON e.id = o.evaluation_id WHERE e.label LIKE '%/lr-1e-4' LIMIT 1") as string, /^a food from lr-1e-4$/)
  })

  it('eval.serveCommand: every model is served by its own lrgate serve, evaluated through the endpoint, and stopped', () => {
    const serve = `${NODE} ${join(ROOT, 'bin', 'run.js')} serve --model {model} --port {port}`
    const {cwd, db} = sweepFixture({...tiny([1e-4]), eval: {generation: {maxTokens: 12, batchSize: 32}, resamples: 200, serveCommand: serve}})
    const r = lrgate(['sweep', '--json', '--db', db, '--trainer', `${NODE} ${FAKE} --config {config}`], {cwd})
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual((JSON.parse(r.stdout) as SweepJson).candidates.map((c) => c.status), ['completed'])
    const evals = query<{id: number; label: string; endpoint_url: string; endpoint_model: string; tokenizer: string; backend: string; perplexity_unavailable: string | null}>(
      db, 'SELECT id, label, endpoint_url, endpoint_model, tokenizer, backend, perplexity_unavailable FROM evaluations ORDER BY id')
    assert.equal(evals.length, 2, 'the base and the candidate')
    const base = BASE
    for (const e of evals) {
      assert.match(e.endpoint_url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      assert.equal(e.backend, 'served')
      assert.equal(e.tokenizer, modelTokenizerIdentity(base), 'lrgate serve names its tokenizer: the same units as eval --model')
      assert.equal(e.perplexity_unavailable, null)
    }
    assert.notEqual(evals[0].endpoint_url, evals[1].endpoint_url, 'a server per model')
    // The fake trainer hands back the base model: the served candidate scores what lrgate scores itself.
    const direct = lrgate(['eval', '--json', '--db', join(cwd, 'direct.db'), '--model', base, '--dataset', 'tiny-eval@1', '--label', 'direct'], {cwd})
    assert.equal(direct.status, 0, direct.stderr)
    const perplexity = (file: string, id: number) => query<{cohort: string; value: number}>(file, "SELECT cohort, value FROM cohort_metrics WHERE evaluation_id = ? AND metric = 'perplexity' ORDER BY cohort", id)
    const want = perplexity(join(cwd, 'direct.db'), 1)
    assert.equal(want.length, 3)
    for (const e of evals) {
      const got = perplexity(db, e.id)
      assert.deepEqual(got.map((c) => c.cohort), want.map((c) => c.cohort))
      got.forEach((c, i) => assert.ok(Math.abs(c.value / want[i].value - 1) < 1e-4, `${e.label} ${c.cohort}: ${c.value} vs ${want[i].value}`))
    }
    const candidateDir = dirname(one(db, 'SELECT artifact_dir FROM candidates') as string)
    assert.match(readFileSync(join(candidateDir, 'serve.log'), 'utf8'), /lrgate serve: http:\/\/127\.0\.0\.1:\d+\/v1/)
    assert.deepEqual(serversUnder(cwd), [], 'no server outlives its evaluation')
  })

  it('refuses an unknown placeholder, and options a template cannot carry, with exit 2 and nothing stored', () => {
    const {cwd, db} = sweepFixture(tiny([1e-4]))
    const bad = lrgate(['sweep', '--db', db, '--trainer', 'python train.py --model {model_dir} --lr {lr}'], {cwd})
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /^lrgate: --trainer: unknown placeholder \{model_dir\}; the placeholders are \{lr\} \{steps\}/m)
    const both = lrgate(['sweep', '--db', db, '--trainer', 'python train.py --lr {lr}', '--early-stopping'], {cwd})
    assert.equal(both.status, 2)
    assert.match(both.stderr, /--early-stopping cannot be combined with --trainer/)
    const lora = lrgate(['sweep', '--db', db, '--trainer', 'python train.py --lr {lr}', '--method', 'full,lora', '--replay', '0,0.25'], {cwd})
    assert.equal(lora.status, 2)
    assert.match(lora.stderr, /--method lora, --replay 0,0\.25 cannot be combined with --trainer: .*no placeholder for them/)
    writeFileSync(join(cwd, 'bad-outputs.json'), JSON.stringify({eval: {outputsCommand: 'gen {model} {data}'}}))
    const outputs = lrgate(['sweep', '--db', db, '--config', 'bad-outputs.json', '--trainer', 'python train.py'], {cwd})
    assert.equal(outputs.status, 2)
    assert.match(outputs.stderr, /eval\.outputsCommand: unknown placeholder \{data\}; the placeholders are \{model\} \{dataset\} \{outputs\}/)
    writeFileSync(join(cwd, 'both.json'), JSON.stringify({eval: {outputsCommand: 'gen {model} {dataset} {outputs}', serveCommand: 'vllm serve {model} --port {port}'}}))
    const twoRoutes = lrgate(['sweep', '--db', db, '--config', 'both.json', '--trainer', 'python train.py'], {cwd})
    assert.equal(twoRoutes.status, 2)
    assert.match(twoRoutes.stderr, /eval\.outputsCommand and eval\.serveCommand are both set/)
    writeFileSync(join(cwd, 'bad-serve.json'), JSON.stringify({eval: {serveCommand: 'vllm serve {model} --port {port} --host {host}'}}))
    const serve = lrgate(['sweep', '--db', db, '--config', 'bad-serve.json', '--trainer', 'python train.py'], {cwd})
    assert.equal(serve.status, 2)
    assert.match(serve.stderr, /eval\.serveCommand: unknown placeholder \{host\}; the placeholders are \{model\} \{port\}/)
    assert.ok(!existsSync(db) || (one(db, 'SELECT count(*) FROM runs') as number) === 0, 'no run stored')
  })
})

/** Processes whose command line runs `lrgate serve` on a model under `dir`. */
function serversUnder(dir: string): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).flatMap((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      return cmd.includes('serve') && cmd.some((a) => a.startsWith(dir)) ? [Number(pid)] : []
    } catch {
      return []
    }
  })
}

function dirnameOf(db: string, runId: number, label: string): string {
  const root = join(db, '..', 'runs')
  const run = readdirSync(root).find((d) => d.startsWith(`${runId}-`))!
  mkdirSync(join(root, run, label), {recursive: true})
  return join(root, run, label)
}
