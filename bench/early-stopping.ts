// `npm run bench:early-stopping`: a sweep of 8 learning rates on the shipped example, once run to
// the end and once with early stopping; prints the compute each used and both recommendations.
import {spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const LRS = '3e-6,1e-5,2e-5,3e-5,5e-5,1e-4,3e-4,1e-3'
const json = process.argv.includes('--json')

interface Sweep {
  recommended: string | null
  candidates: Array<{label: string; status: string; verdict: string | null}>
  compute: {stepsTrained: number; stepsPlanned: number; evaluations: number}
}

function sweep(extra: string[]): {result: Sweep; seconds: number} {
  const db = join(mkdtempSync(join(tmpdir(), 'lrgate-bench-')), 'lrgate.db')
  const started = performance.now()
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'sweep', '--lr', LRS, '--json', '--db', db, ...extra], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']})
  if (r.status !== 0) throw new Error(`sweep exited ${r.status}`)
  return {result: JSON.parse(r.stdout) as Sweep, seconds: (performance.now() - started) / 1000}
}

const full = sweep(['--no-early-stopping'])
const early = sweep(['--early-stopping'])
const summary = {
  learning_rates: LRS.split(','),
  full: {recommended: full.result.recommended, seconds: Math.round(full.seconds), ...full.result.compute, verdicts: Object.fromEntries(full.result.candidates.map((c) => [c.label, c.verdict ?? c.status]))},
  early_stopping: {recommended: early.result.recommended, seconds: Math.round(early.seconds), ...early.result.compute, statuses: Object.fromEntries(early.result.candidates.map((c) => [c.label, c.verdict ?? c.status]))},
  steps_saved_factor: full.result.compute.stepsTrained / early.result.compute.stepsTrained,
  same_recommendation: full.result.recommended === early.result.recommended,
}
if (json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
else {
  const line = (name: string, s: typeof summary.full) => `${name.padEnd(15)} ${String(s.stepsTrained).padStart(5)} of ${s.stepsPlanned} steps, ${s.evaluations} evaluations, ${s.seconds} s, recommends ${s.recommended}`
  process.stdout.write(`${line('run to the end', summary.full)}\n${line('early stopping', summary.early_stopping)}\n`)
  process.stdout.write(`early stopping trains ${summary.steps_saved_factor.toFixed(2)}x fewer steps; same recommendation: ${summary.same_recommendation}\n`)
}
