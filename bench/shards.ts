// `npm run bench:shards`: the shipped example swept at four learning rates three ways — on one
// machine, as 2 shards (separate processes, same thread count) merged with `lrgate merge`, and on
// one machine with another thread count (--parallel 1: one worker with every core) — and prints
// whether the merged sweep equals the one-machine sweep (candidates, verdicts, recommendation,
// bit-identical metrics), the largest relative difference of any stored cohort metric and gate
// delta across thread counts, and how long the merge took.
import Database from 'better-sqlite3'
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const LRS = '1e-5,1e-4,1e-3,3e-3'
const STEPS = process.env.BENCH_STEPS ?? '30'
const dir = mkdtempSync(join(tmpdir(), 'lrgate-bench-shards-'))
const common = ['sweep', '--name', 'bench', '--lr', LRS, '--steps', STEPS, '--no-early-stopping', '--json']

function lrgate(args: string[]): number {
  const started = performance.now()
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']})
  if (r.status !== 0) throw new Error(`lrgate ${args.join(' ')} exited ${r.status}`)
  return (performance.now() - started) / 1000
}

function lrgateAsync(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'run.js'), ...args], {cwd: dir, stdio: ['ignore', 'ignore', 'inherit']})
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`lrgate ${args.join(' ')} exited ${code}`))))
  })
}

type Metric = {label: string; cohort: string; metric: string; value: number}
function metrics(db: string): Metric[] {
  const d = new Database(db, {readonly: true})
  try {
    return d.prepare(`SELECT c.label, m.cohort, m.metric, m.value FROM candidates c JOIN cohort_metrics m ON m.evaluation_id = c.evaluation_id ORDER BY c.label, m.cohort, m.metric`).all() as Metric[]
  } finally {
    d.close()
  }
}
function verdicts(db: string) {
  const d = new Database(db, {readonly: true})
  try {
    return {
      candidates: d.prepare('SELECT label, status, verdict FROM candidates ORDER BY label').all(),
      recommended: d.prepare('SELECT c.label FROM runs r JOIN candidates c ON c.id = r.recommended_candidate_id').pluck().get() ?? null,
      deltas: d.prepare('SELECT c.label, g.rule, g.cohort, g.delta FROM candidates c JOIN gate_results g ON g.gate_id = c.gate_id ORDER BY c.label, g.position').all() as Array<{label: string; rule: string; cohort: string; delta: number | null}>,
    }
  } finally {
    d.close()
  }
}
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12))

const oneSeconds = lrgate([...common, '--parallel', '2', '--db', 'one.db'])
const shardStarted = performance.now()
await Promise.all([0, 1].map((i) => lrgateAsync([...common, '--parallel', '2', '--shard', `${i}/2`, '--db', `shard-${i}.db`])))
const shardSeconds = (performance.now() - shardStarted) / 1000
const mergeSeconds = lrgate(['merge', 'shard-0.db', 'shard-1.db', '--into', 'merged.db', '--json'])
const threadsSeconds = lrgate([...common, '--parallel', '1', '--db', 'threads.db'])

const [one, merged, threads] = ['one.db', 'merged.db', 'threads.db'].map((f) => join(dir, f))
const vOne = verdicts(one), vMerged = verdicts(merged), vThreads = verdicts(threads)
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const mOne = metrics(one), mThreads = metrics(threads)
const metricDiff = Math.max(0, ...mOne.map((m, i) => rel(m.value, mThreads[i].value)))
const deltaDiff = Math.max(0, ...vOne.deltas.map((d, i) => (d.delta === null || vThreads.deltas[i]?.delta == null ? 0 : rel(d.delta, vThreads.deltas[i].delta!))))
console.log(JSON.stringify({
  learning_rates: LRS.split(','), steps: Number(STEPS), cores: (await import('node:os')).availableParallelism(),
  seconds: {one_machine: +oneSeconds.toFixed(1), two_shards_at_once: +shardSeconds.toFixed(1), merge: +mergeSeconds.toFixed(2), other_thread_count: +threadsSeconds.toFixed(1)},
  merged_equals_one_machine: {candidates_and_verdicts: same(vOne.candidates, vMerged.candidates), recommendation: vOne.recommended === vMerged.recommended, metrics_bit_identical: same(mOne, metrics(merged)), gate_deltas_bit_identical: same(vOne.deltas, vMerged.deltas)},
  recommended: {one_machine: vOne.recommended, merged: vMerged.recommended, other_thread_count: vThreads.recommended},
  across_thread_counts: {verdicts_equal: same(vOne.candidates, vThreads.candidates), max_relative_difference_cohort_metric: metricDiff, max_relative_difference_gate_delta: deltaDiff},
}, null, 2))
