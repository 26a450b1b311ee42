// `npm run bench` prints a table; `npm run bench -- --json` one JSON object. Each figure comes
// from its own child process, so backends and thread settings never share a process.
//   --shape D,L,H,T,B   one shape (d_model, layers, heads, context, batch) instead of the three defaults
//   --repeats N         runs per shape of (ours, PyTorch 1 thread, PyTorch 2 threads); ratio = median (default 3)
//   --quick             fewer steps; --cpu adds the plain tfjs cpu backend (slow)
import {spawn, spawnSync} from 'node:child_process'
import {cpus, loadavg} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {flopsPerToken, GEN_NEW, GEN_PROMPT, REFERENCE, type Shape} from './measure.js'

const here = dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const json = argv.includes('--json')
const quick = argv.includes('--quick')
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined)
const parseShape = (s: string): Shape => {
  const v = s.split(',').map(Number)
  if (v.length !== 5 || v.some((x) => !Number.isInteger(x) || x <= 0) || v[0] % v[2] !== 0) throw new Error(`--shape ${s}: give D,L,H,T,B as positive integers, D divisible by H`)
  return {D: v[0], L: v[1], H: v[2], T: v[3], B: v[4]}
}
const shapes: Shape[] = option('--shape') ? [parseShape(option('--shape')!)] : [REFERENCE, {D: 256, L: 6, H: 8, T: 256, B: 8}, {D: 512, L: 8, H: 8, T: 256, B: 4}]
const repeats = Number(option('--repeats') ?? 3)
const steps = quick ? 2 : 3
const GEN_BATCH = 64 // the eval default (eval.generation.batchSize)
const shapeArg = (s: Shape) => `${s.D},${s.L},${s.H},${s.T},${s.B}`
const log = (s: string) => !json && process.stderr.write(s + '\n')

function worker(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'worker.ts'), ...args], {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`bench worker ${args.join(' ')} exited ${code}`))))
  })
}

function python(script: string, args: Array<string | number>): Record<string, number | string> | null {
  const r = spawnSync('/usr/bin/python3', [join(here, script), ...args.map(String)], {encoding: 'utf8'})
  return r.status === 0 ? JSON.parse(r.stdout.trim()) : null
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const loadBefore = loadavg()[0]

const perShape = []
let backend: Record<string, unknown> = {}
for (const shape of shapes) {
  const tag = `(${shapeArg(shape)})`
  log(`${tag}: sgemm peak at the step's GEMM sizes …`)
  const gemm = await worker(['gemm', 'native', '2', '1', shapeArg(shape)])
  const runs: Array<{ours: number; torch1: number | null; torch2: number | null; rss: number}> = []
  for (let r = 0; r < repeats; r++) {
    log(`${tag}: run ${r + 1}/${repeats}: our step, PyTorch 1 and 2 threads …`)
    const ours = await worker(['train', 'native', '2', String(steps), shapeArg(shape)])
    backend = ours
    const dims = [shape.D, shape.L, shape.H, shape.T, shape.B]
    const t1 = python('torch_step.py', [1, steps, ...dims]), t2 = python('torch_step.py', [2, steps, ...dims])
    runs.push({ours: Number(ours.ms), torch1: t1 ? Number(t1.ms) : null, torch2: t2 ? Number(t2.ms) : null, rss: Number(ours.peak_rss_mb)})
  }
  const ratios = runs.filter((r) => r.torch1 !== null && r.torch2 !== null).map((r) => Math.min(r.torch1!, r.torch2!) / r.ours)
  const ms = median(runs.map((r) => r.ours))
  const tokensPerS = ((shape.B * shape.T) / ms) * 1000
  const modelGflops = (tokensPerS * flopsPerToken(shape)) / 1e9
  const entry: Record<string, unknown> = {
    shape: [shape.D, shape.L, shape.H, shape.T, shape.B],
    train_ms_per_step: ms,
    train_tokens_per_s: tokensPerS,
    torch_ms_per_step_1thread: median(runs.map((r) => r.torch1 ?? Number.NaN)),
    torch_ms_per_step_2threads: median(runs.map((r) => r.torch2 ?? Number.NaN)),
    speedup_vs_torch: ratios.length > 0 ? median(ratios) : null,
    speedup_vs_torch_runs: ratios,
    model_gflops: modelGflops,
    gemm_peak_gflops: Number(gemm.gflops),
    share_of_gemm_peak: modelGflops / Number(gemm.gflops),
    peak_rss_mb: Math.max(...runs.map((r) => r.rss)),
  }
  const target = shape === REFERENCE || (shape.D === 128 && shape.L === 4) ? 1 : 1.2
  if ((entry.speedup_vs_torch as number | null ?? 0) < target || (entry.share_of_gemm_peak as number) < 0.8) {
    log(`${tag}: goal not met, profiling the step per kernel …`)
    const prof = await worker(['train', 'native', '2', String(steps), shapeArg(shape), '--profile'])
    const kernels = prof.profile as Record<string, number>
    const inKernels = Object.values(kernels).reduce((a, b) => a + b, 0)
    entry.profile_ms_per_step = {...Object.fromEntries(Object.entries(kernels).sort((a, b) => b[1] - a[1])), 'outside kernels (JS, tfjs)': Number(prof.ms) - inKernels}
  }
  perShape.push(entry)
}

const ref = {...REFERENCE, B: 1}
log('generation and scoring at the reference model shape …')
const gen = (batch: number, temperature: number) => worker(['generate', 'native', '2', '1', shapeArg(ref), String(batch), String(batch === 1 ? 8 : batch), String(temperature)])
const [g1, g64, s1, s64] = [await gen(1, 0), await gen(GEN_BATCH, 0), await gen(1, 1), await gen(GEN_BATCH, 1)]
const generation = {
  prompt_tokens: GEN_PROMPT,
  new_tokens: GEN_NEW,
  // best of two runs after a whole warm-up run, as the PyTorch anchor; first_run_*: that first run
  greedy_batch1: Number(g1.tokens_per_s),
  greedy_batch64: Number(g64.tokens_per_s),
  sampled_batch1: Number(s1.tokens_per_s),
  sampled_batch64: Number(s64.tokens_per_s),
  first_run_greedy_batch1: Number(g1.first_run_tokens_per_s),
  first_run_greedy_batch64: Number(g64.first_run_tokens_per_s),
  uncached_batch8: Number((await worker(['generate-uncached', 'native', '2', '1', shapeArg(ref)])).tokens_per_s),
  torch_greedy_batch1: null as number | null,
  torch_greedy_batch64: null as number | null,
  vs_torch_batch1: null as number | null,
  vs_torch_batch64: null as number | null,
}
log('PyTorch greedy generation with a preallocated cache, 1 and 2 threads …')
for (const batch of [1, GEN_BATCH]) {
  const best = Math.max(...[1, 2].map((t) => Number(python('torch_generate.py', [t, REFERENCE.D, REFERENCE.L, REFERENCE.H, REFERENCE.T, batch, GEN_PROMPT, GEN_NEW])?.tokens_per_s ?? Number.NaN)))
  if (batch === 1) generation.torch_greedy_batch1 = best
  else generation.torch_greedy_batch64 = best
}
generation.vs_torch_batch1 = generation.greedy_batch1 / generation.torch_greedy_batch1!
generation.vs_torch_batch64 = generation.greedy_batch64 / generation.torch_greedy_batch64!
const scoring = {batch64_tokens_per_s: Number((await worker(['score', 'native', '2', '1', shapeArg(ref), '64'])).tokens_per_s)}

log('two candidates at once with 1 thread each (reference shape) …')
const pair = await Promise.all([worker(['train', 'native', '1', String(steps), shapeArg(REFERENCE)]), worker(['train', 'native', '1', String(steps), shapeArg(REFERENCE)])])
const pairMs = Math.max(Number(pair[0].ms), Number(pair[1].ms))
const matmul = await worker(['matmul', 'native', '2'])
const cpu = argv.includes('--cpu') ? await worker(['train', 'cpu', '-', '1', shapeArg(REFERENCE)]) : null
const torchVersion = python('torch_step.py', [1, 1, 32, 1, 1, 16, 1])?.torch ?? null

const first = perShape[0]
const result = {
  backend: backend.backend,
  backend_reason: backend.reason,
  machine: {cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', load_average_before: loadBefore, load_average_after: loadavg()[0]},
  torch_version: torchVersion,
  shape: first.shape,
  train_tokens_per_s: first.train_tokens_per_s,
  shapes: perShape,
  generation,
  scoring,
  parallel2x1_ms_per_step: pairMs,
  parallel2x1_tokens_per_s: ((2 * REFERENCE.B * REFERENCE.T) / pairMs) * 1000,
  matmul_gflops: Number(matmul.gflops),
  cpu_train_ms_per_step: cpu ? Number(cpu.ms) : null,
}

if (json) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
} else {
  const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d))
  const rows: Array<[string, string]> = [['backend', `${String(result.backend)} (${String(result.backend_reason)})`], ['machine', `${result.machine.cores} cores, load ${f(loadBefore, 1)} → ${f(result.machine.load_average_after, 1)}`]]
  for (const s of perShape as Array<Record<string, number & number[]>>) {
    rows.push([
      `train (${s.shape.join(',')})`,
      `${f(s.train_ms_per_step)} ms, ${f(s.train_tokens_per_s, 0)} tokens/s; PyTorch ${f(s.torch_ms_per_step_1thread)} ms (1 thread), ${f(s.torch_ms_per_step_2threads)} ms (2) → ${f(s.speedup_vs_torch, 2)}x [${f(Math.min(...s.speedup_vs_torch_runs), 2)}–${f(Math.max(...s.speedup_vs_torch_runs), 2)}]; ${f(s.model_gflops)} GFLOP/s = ${f(100 * s.share_of_gemm_peak, 0)}% of ${f(s.gemm_peak_gflops)}; peak RSS ${f(s.peak_rss_mb, 0)} MB`,
    ])
    const profile = (s as unknown as {profile_ms_per_step?: Record<string, number>}).profile_ms_per_step
    if (profile) rows.push(['  profile (ms/step)', Object.entries(profile).slice(0, 8).map(([k, v]) => `${k} ${f(v)}`).join(', ')])
  }
  const g = generation
  rows.push(['generation b1 / b64', `greedy ${f(g.greedy_batch1, 0)} / ${f(g.greedy_batch64, 0)} tokens/s, sampled ${f(g.sampled_batch1, 0)} / ${f(g.sampled_batch64, 0)}; PyTorch greedy ${f(g.torch_greedy_batch1, 0)} / ${f(g.torch_greedy_batch64, 0)} → ${f(g.vs_torch_batch1, 2)}x / ${f(g.vs_torch_batch64, 2)}x (best of 2 after a warm-up run, as PyTorch's; a first run: ${f(g.first_run_greedy_batch1, 0)} / ${f(g.first_run_greedy_batch64, 0)})`])
  rows.push(['scoring, batch 64', `${f(scoring.batch64_tokens_per_s, 0)} tokens/s`])
  rows.push(['two candidates at once', `${f(pairMs)} ms/step each, ${f(result.parallel2x1_tokens_per_s, 0)} tokens/s together (1 thread each)`])
  rows.push(['matmul 2048x256·256x1024', `${f(result.matmul_gflops)} GFLOP/s`])
  const width = Math.max(...rows.map(([k]) => k.length))
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`)
}
