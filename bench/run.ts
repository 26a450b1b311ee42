// `npm run bench` prints a table; `npm run bench -- --json` one JSON object. Each figure comes
// from its own child process, so backends and thread settings never share a process.
import {spawn, spawnSync} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const json = process.argv.includes('--json')
const quick = process.argv.includes('--quick')
const TOKENS_PER_STEP = 16 * 128

function worker(args: string[]): Promise<Record<string, number | string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'worker.ts'), ...args], {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`bench worker ${args.join(' ')} exited ${code}`))))
  })
}

function torch(threads: number, steps: number): {ms: number; torch: string} | null {
  const r = spawnSync('/usr/bin/python3', [join(here, 'torch_step.py'), String(threads), String(steps)], {encoding: 'utf8'})
  if (r.status !== 0) return null
  return JSON.parse(r.stdout.trim())
}

const log = (s: string) => !json && process.stderr.write(s + '\n')
const steps = quick ? 4 : 20
log('measuring matmul …')
const matmul = await worker(['matmul', 'native', '-'])
log('measuring one candidate with 2 threads …')
const train2 = await worker(['train', 'native', '2', String(steps)])
log('measuring two candidates at once with 1 thread each …')
const pair = await Promise.all([worker(['train', 'native', '1', String(steps)]), worker(['train', 'native', '1', String(steps)])])
log('measuring generation …')
const gen = await worker(['generate', 'native', '-'])
log('measuring the plain tfjs cpu backend (slow) …')
const cpu = await worker(['train', 'cpu', '-', quick ? '1' : '2'])
const cpuMatmul = await worker(['matmul', 'cpu', '-'])
log('measuring PyTorch (Debian python3-torch), if installed …')
const torch2 = torch(2, quick ? 4 : 10)
const torch1 = torch(1, quick ? 4 : 10)

const pairMs = Math.max(Number(pair[0].ms), Number(pair[1].ms))
const result = {
  backend: train2.backend,
  backend_reason: train2.reason,
  matmul_gflops: Number(matmul.gflops),
  train_ms_per_step: Number(train2.ms),
  train_tokens_per_s: (TOKENS_PER_STEP / Number(train2.ms)) * 1000,
  parallel2x1_ms_per_step: pairMs,
  parallel2x1_tokens_per_s: ((2 * TOKENS_PER_STEP) / pairMs) * 1000,
  cpu_matmul_gflops: Number(cpuMatmul.gflops),
  cpu_train_ms_per_step: Number(cpu.ms),
  cpu_train_tokens_per_s: (TOKENS_PER_STEP / Number(cpu.ms)) * 1000,
  speedup_vs_cpu: Number(cpu.ms) / Number(train2.ms),
  generate_tokens_per_s: Number(gen.cached),
  generate_tokens_per_s_uncached: Number(gen.uncached),
  torch_version: torch2?.torch ?? null,
  torch_ms_per_step_2threads: torch2?.ms ?? null,
  torch_ms_per_step_1thread: torch1?.ms ?? null,
  speedup_vs_torch: torch2 ? torch2.ms / Number(train2.ms) : null,
}

if (json) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
} else {
  const f = (x: number | null, d = 1) => (x === null ? 'n/a' : x.toFixed(d))
  const rows: Array<[string, string]> = [
    ['backend', `${result.backend} (${result.backend_reason})`],
    ['matmul 2048x256·256x1024', `${f(result.matmul_gflops)} GFLOP/s (plain cpu ${f(result.cpu_matmul_gflops, 2)})`],
    ['train step, reference shape', `${f(result.train_ms_per_step)} ms, ${f(result.train_tokens_per_s, 0)} tokens/s (1 candidate, 2 threads)`],
    ['two candidates at once', `${f(result.parallel2x1_ms_per_step)} ms/step each, ${f(result.parallel2x1_tokens_per_s, 0)} tokens/s together (1 thread each)`],
    ['plain tfjs cpu train step', `${f(result.cpu_train_ms_per_step, 0)} ms, ${f(result.cpu_train_tokens_per_s, 0)} tokens/s → native is ${f(result.speedup_vs_cpu, 0)}x faster`],
    ['PyTorch train step', result.torch_version ? `${f(result.torch_ms_per_step_2threads)} ms (2 threads), ${f(result.torch_ms_per_step_1thread)} ms (1 thread) → native is ${f(result.speedup_vs_torch, 2)}x faster` : 'python3-torch not installed'],
    ['generation, KV cache', `${f(result.generate_tokens_per_s, 0)} tokens/s (without cache ${f(result.generate_tokens_per_s_uncached, 0)})`],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`)
}
