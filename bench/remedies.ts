// `npm run bench:remedies`: the forgetting remedies on the shipped example, measured in one run.
// Three sweeps of `lrgate sweep` into one fresh database (default config: sweep.steps steps, batch 8, the
// example base model, food-train@1, example-eval@2, the default gate):
//   1. full fine-tuning at 3e-5, 1e-4, 3e-4, 1e-3, each also interpolated halfway (WiSE-FT, α 0.5)
//   2. LoRA r8 (alpha 16, attn+mlp) at the same rates and 3e-3, 1e-2 (LoRA wants a higher rate)
//   3. full fine-tuning with replay 0.25 (a quarter of each batch from example-pretrain@2) at the same rates
// Per candidate: target perplexity change, worst OOD perplexity change (over the ood cohorts, against
// the base), gate verdict, training wall time. Then Biderman et al.'s comparison at matched target
// gain: LoRA's curves interpolated over log10(lr) to the target change of full fine-tuning at 1e-4.
// Writes bench/results-remedies.json and prints a Markdown table (the README's).
//   --quick   10 steps per candidate (a smoke run of the script, not numbers to publish)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {DEFAULT_CONFIG} from '../src/config/defaults.js'
import {readModelConfig} from '../src/model/model-files.js'
import {runSteps} from '../src/store/candidates.js'
import {openStore} from '../src/store/db.js'
import {cohortMetrics} from '../src/store/evaluations.js'
import {getRun, listRuns, runCandidates} from '../src/store/runs-read.js'
import {runConfig} from '../src/store/runs.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const quick = process.argv.includes('--quick')
const LRS = [3e-5, 1e-4, 3e-4, 1e-3]
const LORA_LRS = [...LRS, 3e-3, 1e-2]
// --from DB: continue in the database of an earlier run of this script (completed sweeps reused,
// an interrupted one resumed); with --tabulate only tabulate what completed there
const from = process.argv.includes('--from') ? process.argv[process.argv.indexOf('--from') + 1] : null
const db = from ?? join(mkdtempSync(join(tmpdir(), 'lrgate-remedies-')), 'lrgate.db')
process.stderr.write(`database: ${db}\n`)

interface SweepJson {
  runId: number
  recommended: string | null
  candidates: Array<{label: string; lr: number; method: string; replay: number; interpolate: number; verdict: string | null; status: string; evaluationId: number | null}>
}

function sweep(name: string, args: string[]): {json: SweepJson; seconds: number; command: string} | null {
  // With --from: a sweep of that name already completed there is reused, an interrupted one resumed.
  const previous = from ? (() => {
    const store = openStore(from)
    const run = listRuns(store, 100).find((r) => r.name === name)
    store.close()
    return run
  })() : undefined
  if (previous?.status === 'completed') return {json: {runId: previous.id, recommended: previous.recommendedLabel, candidates: []}, seconds: Number.NaN, command: `lrgate sweep ${args.join(' ')}`}
  if (from && process.argv.includes('--tabulate')) return null
  const all = previous
    ? ['sweep', '--json', '--db', db, '--resume', String(previous.id)]
    : ['sweep', '--json', '--no-early-stopping', '--db', db, '--name', name, ...(quick ? ['--steps', '10'] : []), ...args]
  process.stderr.write(`\n$ lrgate ${all.filter((a) => a !== db && a !== '--db').join(' ')}\n`)
  const started = performance.now()
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...all], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], cwd: root})
  if (r.status !== 0) throw new Error(`sweep ${name} exited ${r.status}`)
  return {json: JSON.parse(r.stdout) as SweepJson, seconds: (performance.now() - started) / 1000, command: `lrgate sweep ${args.join(' ')}`}
}

const list = (xs: number[]) => xs.join(',')
const sweeps = [
  sweep('remedies-full', ['--method', 'full', '--lr', list(LRS), '--interpolate', '1,0.5']),
  sweep('remedies-lora', ['--method', 'lora', '--lora-rank', '8', '--lora-alpha', '16', '--lr', list(LORA_LRS)]),
  sweep('remedies-replay', ['--method', 'full', '--lr', list(LRS), '--replay', '0.25']),
].filter((s): s is NonNullable<typeof s> => s !== null)

interface Row {
  sweep: string
  label: string
  remedy: string
  lr: number
  targetChange: number | null
  worstOodChange: number | null
  worstOodCohort: string | null
  verdict: string
  trainSeconds: number | null
}

const store = openStore(db)
const rows: Row[] = []
// Training wall time: the stored seconds of every step (B × T tokens at its tokens/s), summed —
// the fine-tune alone, without evaluation or process start.
const trainSeconds = new Map<number, number>()
for (const s of sweeps) {
  const plan = runConfig(store, s.json.runId)!.config as {batchSize: number; baseModel: string}
  const tokens = plan.batchSize * readModelConfig(plan.baseModel).contextLength
  for (const st of runSteps(store, s.json.runId)) trainSeconds.set(st.candidateId, (trainSeconds.get(st.candidateId) ?? 0) + tokens / st.tokensPerS)
}
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)
for (const s of sweeps) {
  const run = getRun(store, s.json.runId)!
  const base = cohortMetrics(store, run.baseEvaluationId!).filter((m) => m.metric === 'perplexity')
  for (const c of runCandidates(store, s.json.runId)) {
    const mine = c.evaluationId === null ? [] : cohortMetrics(store, c.evaluationId).filter((m) => m.metric === 'perplexity')
    const change = (cohort: string) => {
      const b = base.find((m) => m.cohort === cohort), m = mine.find((x) => x.cohort === cohort)
      return b && m ? (m.value - b.value) / b.value : null
    }
    const target = mean(base.filter((m) => m.cohort.startsWith('target:')).map((m) => change(m.cohort)).filter((x): x is number => x !== null))
    const ood = base.filter((m) => m.cohort.startsWith('ood:')).map((m) => ({cohort: m.cohort, change: change(m.cohort)})).filter((x) => x.change !== null) as Array<{cohort: string; change: number}>
    const worst = ood.length === 0 ? null : ood.reduce((a, b) => (b.change > a.change ? b : a))
    const remedy = c.method === 'lora' ? 'LoRA r8' : (c.replay ?? 0) > 0 ? `full + replay ${c.replay}` : (c.interpolate ?? 1) < 1 ? `full, interpolate ${c.interpolate}` : 'full'
    const seconds = trainSeconds.get(c.id) ?? null
    rows.push({sweep: s.json.runId.toString(), label: c.label, remedy, lr: c.lr, targetChange: target, worstOodChange: worst?.change ?? null, worstOodCohort: worst?.cohort ?? null, verdict: c.verdict ?? c.status, trainSeconds: seconds})
  }
}

// Biderman et al. 2024 at matched target gain: where does LoRA reach full fine-tuning's target change at 1e-4?
const fullAt = rows.find((r) => r.remedy === 'full' && r.lr === 1e-4) ?? {targetChange: null, worstOodChange: null}
const loraRows = rows.filter((r) => r.remedy === 'LoRA r8' && r.targetChange !== null).sort((a, b) => a.lr - b.lr)
let matched: {lr: number; worstOodChange: number} | null = null
for (let i = 0; i + 1 < loraRows.length && fullAt.targetChange !== null; i++) {
  const a = loraRows[i], b = loraRows[i + 1]
  const lo = Math.min(a.targetChange!, b.targetChange!), hi = Math.max(a.targetChange!, b.targetChange!)
  if (fullAt.targetChange < lo || fullAt.targetChange > hi || a.worstOodChange === null || b.worstOodChange === null) continue
  const t = (fullAt.targetChange - a.targetChange!) / (b.targetChange! - a.targetChange!)
  matched = {lr: 10 ** (Math.log10(a.lr) + t * (Math.log10(b.lr) - Math.log10(a.lr))), worstOodChange: a.worstOodChange + t * (b.worstOodChange - a.worstOodChange)}
  break
}
store.close()

const pct = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`)
const result = {
  quick, steps: quick ? 10 : DEFAULT_CONFIG.sweep.steps, commands: sweeps.map((s) => s.command), sweep_seconds: sweeps.map((s) => Math.round(s.seconds)), recommended: sweeps.map((s) => s.json.recommended),
  rows, matched_target_gain: {full_at_1e4: {targetChange: fullAt.targetChange, worstOodChange: fullAt.worstOodChange}, lora: matched},
}
writeFileSync(join(root, 'bench', quick ? 'results-remedies-quick.json' : 'results-remedies.json'), JSON.stringify(result, null, 2) + '\n')
const lines = [
  '| remedy | lr | target ppl Δ | worst OOD ppl Δ (cohort) | verdict | train s |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.remedy} | ${r.lr} | ${pct(r.targetChange)} | ${pct(r.worstOodChange)} (${r.worstOodCohort ?? '–'}) | ${r.verdict} | ${r.trainSeconds === null ? '–' : r.trainSeconds.toFixed(0)} |`),
]
process.stdout.write(lines.join('\n') + '\n')
process.stdout.write(`\nsweeps: ${sweeps.map((s, i) => `${s.command} (${result.sweep_seconds[i]} s, recommends ${s.json.recommended})`).join('; ')}\n`)
process.stdout.write(
  matched
    ? `matched target gain (full at 1e-4: target ${pct(fullAt.targetChange)}, worst OOD ${pct(fullAt.worstOodChange)}): LoRA reaches it at lr ≈ ${matched.lr.toExponential(1)} with worst OOD ${pct(matched.worstOodChange)}\n`
    : `matched target gain: LoRA's target changes (${loraRows.map((r) => pct(r.targetChange)).join(', ')}) do not bracket full fine-tuning's ${pct(fullAt.targetChange)} at 1e-4\n`,
)
