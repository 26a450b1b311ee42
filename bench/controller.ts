// `npm run bench:controller`: the learned LR controller against fixed schedules, in one run.
// On two tasks the controller never saw in training (food-train@1, the example's target, and
// WordNet noun.location built by scripts/controller-tasks.ts), every arm fine-tunes the shipped
// example base model for the same number of steps and batch size, for 5 seeds each:
//   learned λ=0   models/controller/controller.json (the paper's reward), from the best grid rate
//   learned λ>0   models/controller-forgetting/controller.json (reward minus λ × probe-loss rise)
//   step decay    multistep ×0.1 at 50% and 75% of the steps after a 10% warmup, at the best grid rate
//   cosine        the default schedule (10% warmup + cosine), at the best grid rate
//   WSD           10% warmup, stable, 1−sqrt decay over the last 20%, at the best grid rate
//   schedule-free schedule-free AdamW (Defazio et al. 2024) with 10% warmup only, at the best grid rate
// "Best grid rate" = the rate of the default grid (sweep.lrs) whose cosine run has the lowest final
// target validation loss on seed 0, per task. Per run: final target validation loss (the task's
// validation split) and worst out-of-domain perplexity change against the base model over the ood
// cohorts of the sweep's early-stopping probe (96 records of example-eval@2, sweep/probe.ts).
// Prints a Markdown table (mean ± sd over seeds) and writes bench/results-controller.json.
//   --quick        8 steps, 2 seeds, grid of two rates (a smoke run of the script, not numbers)
//   --steps N --batch-size N --seeds N --arms a,b  (defaults 40, 4, 5, all: the shape of the controller's
//                  training episodes, 40 steps of batch 4, a decision every 4 steps)
//   --from FILE    runs already in FILE (JSON lines, written as runs finish) are reused
//   --probe        time one run (the learned λ=0 arm on food) and estimate the whole bench
import {spawnSync} from 'node:child_process'
import {appendFileSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {loadavg} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {initBackend} from '../src/compute/backend.js'
import {DEFAULT_CONFIG} from '../src/config/defaults.js'
import type {OptimizerConfig} from '../src/config/schema.js'
import {loadDataset} from '../src/datasets/load.js'
import type {DatasetRecord} from '../src/datasets/types.js'
import {loadModel} from '../src/model/io.js'
import {resolveModelRef} from '../src/model/reference.js'
import {modelSnapshot} from '../src/model/prediction-stats.js'
import {scoreRecords} from '../src/model/score.js'
import {adaptiveSchedule} from '../src/schedule/index.js'
import {loadController} from '../src/schedule/learned/controller.js'
import type {ScheduleSpec} from '../src/schedule/spec.js'
import {probeRecords} from '../src/sweep/probe.js'
import {splitTraining} from '../src/sweep/training-data.js'
import {buildTokenStream, validationBatches} from '../src/train/token-stream.js'
import {train, validationLoss} from '../src/train/trainer.js'
import {deriveSeed} from '../src/util/rng.js'
import {meanSd} from '../src/statistics/mean-sd.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const argv = process.argv.slice(2)
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined)
const quick = argv.includes('--quick')
const STEPS = Number(flag('--steps') ?? (quick ? 8 : 40))
const BATCH = Number(flag('--batch-size') ?? 4)
const SEEDS = Number(flag('--seeds') ?? (quick ? 2 : 5))
const GRID = quick ? [3e-4, 1e-3] : DEFAULT_CONFIG.sweep.lrs
// one rate above the grid, run like it (cosine, seed 0) but never chosen as "best": it extends the
// trade-off curve (target loss against forgetting) that "at equal target gain" reads
const FRONTIER_EXTRA = [3e-3]
const CONTROLLERS = {0: join(root, 'models/controller/controller.json'), forgetting: join(root, 'models/controller-forgetting/controller.json')}
const TASKS_DIR = join(root, '.lrgate', 'controller-tasks')
const TASKS = [{name: 'food', ref: 'food-train@1'}, {name: 'location', ref: join(TASKS_DIR, 'task-location', '1')}]
const VALID_BATCHES = 8

type Arm = 'learned λ=0' | 'learned λ>0' | 'step decay' | 'cosine' | 'WSD' | 'schedule-free'
// λ>0 last: its controller may still be training when the other arms start
const ALL_ARMS: Arm[] = ['learned λ=0', 'step decay', 'cosine', 'WSD', 'schedule-free', 'learned λ>0']
const ARMS = flag('--arms') ? ALL_ARMS.filter((a) => flag('--arms')!.split(',').includes(a)) : ALL_ARMS

/** The schedule and optimizer of an arm at rate `lr` (the controller files give their own λ). */
function armSetup(arm: Arm): {spec: ScheduleSpec; optimizer: OptimizerConfig} {
  const adamw = DEFAULT_CONFIG.sweep.optimizer
  const warm = {warmupRatio: 0.1}
  switch (arm) {
    case 'learned λ=0': return {spec: {type: 'learned', controller: CONTROLLERS[0]}, optimizer: adamw}
    case 'learned λ>0': return {spec: {type: 'learned', controller: CONTROLLERS.forgetting}, optimizer: adamw}
    // milestones count from the end of warmup: 50% and 75% of the steps after it
    case 'step decay': return {spec: {type: 'multistep', milestones: [0.5, 0.75].map((f) => Math.round(f * (STEPS - Math.ceil(0.1 * STEPS)))), gamma: 0.1, ...warm}, optimizer: adamw}
    case 'cosine': return {spec: {type: 'cosine', ...warm}, optimizer: adamw}
    case 'WSD': return {spec: {type: 'wsd', decayRatio: 0.2, decayShape: 'sqrt', ...warm}, optimizer: adamw}
    case 'schedule-free': return {spec: {type: 'constant', ...warm}, optimizer: {...adamw, type: 'schedulefree-adamw'}}
  }
}

interface RunResult {
  task: string
  /** grid: the default grid's cosine runs (seed 0); frontier: the extra rate above it */
  arm: Arm | 'grid' | 'frontier'
  lr: number
  seed: number
  steps: number
  batchSize: number
  status: string
  finalValLoss: number
  /** ood cohort → perplexity change against the base model (relative) */
  oodChange: Record<string, number>
  worstOodChange: number
  seconds: number
  /** the applied rate at the first and last step, and its extremes */
  lrFirst: number
  lrLast: number
  lrMin: number
  lrMax: number
}

const base = resolveModelRef(DEFAULT_CONFIG.baseModel, root, 'baseModel')
const perplexityByCohort = (records: readonly DatasetRecord[], nll: Array<{nll: number; tokens: number}>) => {
  const sums = new Map<string, {nll: number; tokens: number}>()
  records.forEach((r, i) => {
    const s = sums.get(r.cohort) ?? {nll: 0, tokens: 0}
    sums.set(r.cohort, {nll: s.nll + nll[i].nll, tokens: s.tokens + nll[i].tokens})
  })
  return new Map([...sums].map(([c, s]) => [c, Math.exp(s.nll / s.tokens)]))
}

async function main(): Promise<void> {
  const began = performance.now()
  const loadStart = loadavg()
  if (!existsSync(join(TASKS_DIR, 'task-location', '1', 'manifest.json'))) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/controller-tasks.ts'), TASKS_DIR], {cwd: root, stdio: 'inherit'})
    if (r.status !== 0) throw new Error('scripts/controller-tasks.ts failed')
  }
  const backend = await initBackend('auto')
  process.stderr.write(`backend: ${backend.name}; ${STEPS} steps, batch ${BATCH}, ${SEEDS} seeds, arms ${ARMS.join(', ')}\n`)
  const evalSet = await loadDataset(DEFAULT_CONFIG.datasets.eval, {cwd: root})
  const probe = probeRecords(evalSet, DEFAULT_CONFIG.sweep.earlyStopping.probeRecords, DEFAULT_CONFIG.seed)
  const baseModel = loadModel(base)
  const basePpl = perplexityByCohort(probe, scoreRecords(baseModel.model, baseModel.tokenizer, probe, 64))
  baseModel.model.dispose()

  const from = flag('--from') ?? join(root, 'bench', `results-controller${quick ? '-quick' : ''}${argv.includes('--probe') ? '-probe' : ''}.runs.jsonl`)
  const done = new Map<string, RunResult>()
  if (flag('--from') && existsSync(from)) for (const line of readFileSync(from, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as RunResult
    done.set(`${r.task}|${r.arm}|${r.lr}|${r.seed}|${r.steps}|${r.batchSize}`, r)
  } else writeFileSync(from, '')

  const results: RunResult[] = []
  const splits = new Map<string, ReturnType<typeof splitTraining>>()
  for (const task of TASKS) splits.set(task.name, splitTraining(await loadDataset(task.ref, {cwd: root}), DEFAULT_CONFIG.seed))
  const run = async (task: (typeof TASKS)[number], arm: Arm | 'grid', lr: number, seed: number): Promise<RunResult> => {
    const split = splits.get(task.name)!
    const key = `${task.name}|${arm}|${lr}|${seed}|${STEPS}|${BATCH}`
    const cached = done.get(key)
    if (cached) return cached
    const {spec, optimizer} = armSetup(arm === 'grid' ? 'cosine' : arm)
    const t0 = performance.now()
    const {model, tokenizer} = loadModel(base)
    try {
      const valid = buildTokenStream(split.valid, tokenizer)
      const inspectBatch = validationBatches(valid, BATCH, model.config.contextLength, 1)[0]
      const schedule = adaptiveSchedule(spec, {lr, steps: STEPS}, {inspect: () => modelSnapshot(model, inspectBatch)})
      const learned = spec.type === 'learned' ? loadController(spec.controller as string) : null
      const lrs: number[] = []
      const result = await train({
        model, train: buildTokenStream(split.train, tokenizer), ...(learned ? {valid} : {}), steps: STEPS, batchSize: BATCH,
        schedule: (step) => {
          const rate = schedule.lrAt(step)
          lrs.push(rate)
          return rate
        },
        observe: (o) => schedule.observe(o), optimizer, clipNorm: DEFAULT_CONFIG.sweep.clipNorm,
        seed: deriveSeed(seed, 'batches'), valEvery: learned?.decisionEvery ?? STEPS, valBatches: 4,
        checkpointEvery: STEPS + 1, divergence: DEFAULT_CONFIG.sweep.divergence,
      })
      const finalValLoss = validationLoss(model, validationBatches(valid, BATCH, model.config.contextLength, VALID_BATCHES))
      const ppl = perplexityByCohort(probe, scoreRecords(model, tokenizer, probe, 64))
      const oodChange = Object.fromEntries([...basePpl].map(([c, b]) => [c, ppl.get(c)! / b - 1]))
      const r: RunResult = {
        task: task.name, arm, lr, seed, steps: STEPS, batchSize: BATCH, status: result.status, finalValLoss, oodChange, worstOodChange: Math.max(...Object.values(oodChange)),
        seconds: (performance.now() - t0) / 1000, lrFirst: lrs[0], lrLast: lrs[lrs.length - 1], lrMin: Math.min(...lrs), lrMax: Math.max(...lrs),
      }
      appendFileSync(from, JSON.stringify(r) + '\n')
      process.stderr.write(`${task.name} ${arm} lr ${lr} seed ${seed}: val ${finalValLoss.toFixed(4)}, worst OOD ${(100 * r.worstOodChange).toFixed(2)}%, lr ${r.lrFirst.toExponential(2)}→${r.lrLast.toExponential(2)} (${r.seconds.toFixed(0)} s, load ${loadavg()[0].toFixed(2)})\n`)
      return r
    } finally {
      model.dispose()
    }
  }
  // --probe: one run (food, the learned λ=0 arm, the grid's top rate, seed 0), timed, and the whole bench's estimate
  if (argv.includes('--probe')) {
    const r = await run(TASKS[0], 'learned λ=0', GRID[GRID.length - 1], 0)
    const runs = TASKS.length * (GRID.length + FRONTIER_EXTRA.length + ARMS.length * SEEDS - 1)
    process.stdout.write(`probe: one run took ${r.seconds.toFixed(0)} s (load ${loadavg()[0].toFixed(2)}); the bench is ${runs} runs: about ${Math.round((runs * r.seconds) / 60)} min at this load\n`)
    return
  }
  // 1) per task, the best rate of the default grid: cosine, seed 0, lowest final target validation loss
  const best = new Map<string, number>()
  for (const task of TASKS) {
    const grid: RunResult[] = []
    for (const lr of GRID) grid.push(await run(task, 'grid', lr, 0))
    best.set(task.name, grid.reduce((a, b) => (b.finalValLoss < a.finalValLoss ? b : a)).lr)
    results.push(...grid)
    for (const lr of FRONTIER_EXTRA) results.push({...(await run(task, 'grid', lr, 0)), arm: 'frontier'})
  }
  // 2) every arm at that rate (the controller starts from it), every seed; cosine seed 0 is the grid's run
  for (const arm of ARMS) {
    for (const task of TASKS) {
      const lr = best.get(task.name)!
      for (let seed = 0; seed < SEEDS; seed++) {
        const gridRun = results.find((g) => g.task === task.name && g.arm === 'grid' && g.lr === lr)!
        results.push(arm === 'cosine' && seed === 0 ? {...gridRun, arm} : await run(task, arm, lr, seed))
      }
    }
  }
  const seconds = (performance.now() - began) / 1000
  report(results, seconds, loadStart)
}

/** The controller files' training cost (wall time, episodes) and their first/last-10% mean returns. */
function trainingCost(file: string): {file: string; seconds: number | null; episodes: number | null; forgettingWeight: number | null; firstTenth: number | null; lastTenth: number | null} {
  const t = (loadController(file).training ?? {}) as {seconds?: number; episodes?: number; forgettingWeight?: number; returns?: number[]}
  const returns = t.returns ?? []
  const tenth = Math.max(1, Math.floor(returns.length / 10))
  const avg = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)
  return {file: file.slice(root.length + 1), seconds: t.seconds ?? null, episodes: t.episodes ?? null, forgettingWeight: t.forgettingWeight ?? null, firstTenth: avg(returns.slice(0, tenth)), lastTenth: avg(returns.slice(-tenth))}
}

function report(results: RunResult[], seconds: number, loadStart: number[]): void {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}%`
  const fmt = (xs: number[], f: (x: number) => string) => {
    const {mean, sd} = meanSd(xs)
    return `${f(mean)} ± ${f(sd).replace(/^\+/, '')}`
  }
  const rows: string[] = ['| task | arm | lr | final target val loss | worst OOD ppl Δ | diverged | lr first → last (seed 0) |', '|---|---|---|---|---|---|---|']
  const summary: Record<string, Record<string, {lr: number; valLoss: {mean: number; sd: number}; worstOod: {mean: number; sd: number}; diverged: number}>> = {}
  for (const task of TASKS.map((t) => t.name)) {
    summary[task] = {}
    for (const arm of ARMS) {
      const rs = results.filter((r) => r.task === task && r.arm === arm)
      if (rs.length === 0) continue
      const s0 = rs.find((r) => r.seed === 0)!
      summary[task][arm] = {lr: rs[0].lr, valLoss: meanSd(rs.map((r) => r.finalValLoss)), worstOod: meanSd(rs.map((r) => r.worstOodChange)), diverged: rs.filter((r) => r.status === 'diverged').length}
      rows.push(`| ${task} | ${arm} | ${rs[0].lr} | ${fmt(rs.map((r) => r.finalValLoss), (x) => x.toFixed(4))} | ${fmt(rs.map((r) => r.worstOodChange), pct)} | ${summary[task][arm].diverged}/${rs.length} | ${s0.lrFirst.toExponential(2)} → ${s0.lrLast.toExponential(2)} |`)
    }
  }
  // Paired (same task, same seed) differences: learned − step decay, and λ>0 − λ=0.
  const paired = (a: Arm, b: Arm) => Object.fromEntries(TASKS.map(({name}) => {
    const xs = results.filter((r) => r.task === name && r.arm === a), ys = results.filter((r) => r.task === name && r.arm === b)
    const pairs = xs.map((x) => [x, ys.find((y) => y.seed === x.seed)] as const).filter((p): p is readonly [RunResult, RunResult] => p[1] !== undefined)
    return [name, {valLoss: meanSd(pairs.map(([x, y]) => x.finalValLoss - y.finalValLoss)), worstOod: meanSd(pairs.map(([x, y]) => x.worstOodChange - y.worstOodChange)), n: pairs.length}]
  }))
  const comparisons = {'learned λ=0 − step decay': paired('learned λ=0', 'step decay'), 'learned λ=0 − cosine': paired('learned λ=0', 'cosine'), 'learned λ>0 − learned λ=0': paired('learned λ>0', 'learned λ=0')}
  // At equal target gain: the cosine grid (seed 0) traces worst OOD change against target val loss
  // over the rates; interpolated (linearly, between neighbouring rates) at an arm's mean val loss, it
  // says how much a fixed cosine schedule forgets for the same target loss. Below it: less forgetting.
  const frontier = (task: string, valLoss: number): number | null => {
    const pts = results.filter((r) => r.task === task && (r.arm === 'grid' || r.arm === 'frontier')).sort((a, b) => a.finalValLoss - b.finalValLoss)
    for (let i = 0; i + 1 < pts.length; i++) {
      const a = pts[i], b = pts[i + 1]
      if (valLoss < a.finalValLoss || valLoss > b.finalValLoss) continue
      const t = b.finalValLoss === a.finalValLoss ? 0 : (valLoss - a.finalValLoss) / (b.finalValLoss - a.finalValLoss)
      return a.worstOodChange + t * (b.worstOodChange - a.worstOodChange)
    }
    return null
  }
  const equalGain = Object.fromEntries(TASKS.map(({name}) => [name, Object.fromEntries(ARMS.filter((a) => summary[name][a]).map((arm) => {
    const m = summary[name][arm]
    return [arm, {valLoss: m.valLoss.mean, worstOod: m.worstOod.mean, cosineGridWorstOodAtSameValLoss: frontier(name, m.valLoss.mean)}]
  }))]))
  const costs = Object.values(CONTROLLERS).filter((f) => existsSync(f)).map(trainingCost)
  const grid = results.filter((r) => r.arm === 'grid' || r.arm === 'frontier').map((r) => ({task: r.task, lr: r.lr, finalValLoss: r.finalValLoss, worstOodChange: r.worstOodChange}))
  const command = `nice -n 10 npm run bench:controller${argv.length ? ' -- ' + argv.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ') : ''}`
  const out = {quick, command, steps: STEPS, batchSize: BATCH, seeds: SEEDS, seconds: Math.round(seconds), loadAverageStart: loadStart, loadAverageEnd: loadavg(), grid, summary, comparisons, equalGain, controllerTraining: costs, runs: results}
  writeFileSync(join(root, 'bench', quick ? 'results-controller-quick.json' : 'results-controller.json'), JSON.stringify(out, null, 2) + '\n')
  const lines = [
    ...rows, '',
    `grid and ${FRONTIER_EXTRA.join(', ')} (cosine, seed 0; final target val loss, worst OOD): ${grid.map((g) => `${g.task} ${g.lr}: ${g.finalValLoss.toFixed(4)}, ${pct(g.worstOodChange)}`).join('; ')}`,
    ...Object.entries(comparisons).filter(([, byTask]) => Object.values(byTask).some((d) => d.n > 0)).map(([name, byTask]) => `${name} (paired by seed): ${Object.entries(byTask).map(([t, d]) => `${t} val loss ${d.valLoss.mean >= 0 ? '+' : ''}${d.valLoss.mean.toFixed(4)} ± ${d.valLoss.sd.toFixed(4)}, worst OOD ${pct(d.worstOod.mean)} ± ${(100 * d.worstOod.sd).toFixed(2)} pt (n ${d.n})`).join('; ')}`),
    ...Object.entries(equalGain).map(([task, arms]) => `${task}, worst OOD against the cosine grid's at the same mean target val loss: ${Object.entries(arms).map(([arm, e]) => `${arm} ${pct(e.worstOod)} vs ${e.cosineGridWorstOodAtSameValLoss === null ? 'outside the grid' : pct(e.cosineGridWorstOodAtSameValLoss)}`).join('; ')}`),
    ...costs.map((c) => `controller ${c.file}: λ ${c.forgettingWeight}, ${c.episodes} episodes, ${c.seconds} s training; mean return first 10% ${c.firstTenth?.toFixed(4)}, last 10% ${c.lastTenth?.toFixed(4)}`),
    `${command}: ${Math.round(seconds)} s wall, load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`,
  ]
  process.stdout.write(lines.join('\n') + '\n')
}

await main()
