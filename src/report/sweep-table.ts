import Table from 'cli-table3'

import type {SweepOutcome} from '../sweep/run-sweep.js'
import {configurationLabel} from '../sweep/seed-configurations.js'
import {type CandidateSummary, isPlain} from '../sweep/verdicts.js'
import {DEFAULT_OBJECTIVE, objectiveName} from '../sweep/objective.js'
import {inert} from '../util/inert.js'
import {hint} from '../util/invocation.js'

const pct = (x: number | null, digits = 1) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(digits)}%`)
const num = (x: number | null, digits = 3) => (x === null ? '–' : x.toFixed(digits))
const signed = (x: number | null, digits = 3) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`)

function worst(c: CandidateSummary): string {
  const w = c.worstOod
  if (!w) return '–'
  const f = w.relative || w.metric === 'perplexity' || w.metric === 'failRate' ? (x: number) => pct(x) : (x: number) => signed(x)
  return `${w.metric === 'perplexity' ? 'ppl' : w.metric === 'failRate' ? 'fail rate' : w.metric} ${f(w.delta)} [${f(w.ciLow)}, ${f(w.ciHigh)}] ${w.cohort}`
}

/** The sweep's one table: every candidate with its training, target gain, forgetting and verdict. */
export function renderSweepTable(outcome: SweepOutcome): string {
  const table = new Table({
    head: ['candidate', 'lr', 'status', 'steps', 'train loss', 'target rel (Δ)', 'target ppl (Δ)', 'worst OOD Δ [CI]', 'fail rate Δ', 'verdict'],
    style: {head: [], border: [], compact: true},
    colAligns: ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'left'],
  })
  // With more than one method the table groups by method (a header row each), in the grid's order.
  const methods = [...new Set(outcome.candidates.map((c) => c.method))]
  const grouped = methods.length > 1
  for (const method of methods) {
    if (grouped) table.push([{colSpan: 10, content: method === 'lora' ? 'LoRA (adapters; base frozen)' : 'full fine-tune'}])
    for (const c of outcome.candidates.filter((x) => x.method === method)) pushRow(table, c, outcome)
  }
  const spread = seedSpread(outcome.candidates)
  return spread.length === 0 ? table.toString() : `${table.toString()}\n${spread.map(inert).join('\n')}`
}

/**
 * With several seeds per configuration (`--seeds N`): one line per configuration with its verdict
 * (gated on the per-record mean of its seeds, which is every seed's verdict in the table), the
 * seed mean's target perplexity change, and the range of its seeds' own target and worst OOD
 * perplexity changes and their own verdicts (the spread across seeds).
 */
export function seedSpread(candidates: readonly CandidateSummary[]): string[] {
  const groups = new Map<string, CandidateSummary[]>()
  for (const c of candidates) {
    const key = configurationLabel(c.label)
    if (key !== c.label) groups.set(key, [...(groups.get(key) ?? []), c])
  }
  const range = (xs: number[], f: (x: number) => string) => (xs.length === 0 ? '–' : xs.length === 1 ? f(xs[0]) : `${f(Math.min(...xs))} to ${f(Math.max(...xs))}`)
  return [...groups].map(([key, cs]) => {
    const target = cs.map((c) => c.target.perplexityChange).filter((x): x is number => x !== null)
    const ood = cs.filter((c) => c.worstOod?.metric === 'perplexity').map((c) => c.worstOod!.delta)
    const config = cs[0].configuration
    const head = config
      ? `${key}: ${config.verdict} on the mean of ${cs.length} seeds (target perplexity ${pct(config.target.perplexityChange)}${config.verdict === 'fail' ? `; fails ${config.failedRules.slice(0, 2).join(', ')}` : ''})`
      : `${key} over ${cs.length} seeds`
    return `${head}; seeds: target perplexity ${range(target, (x) => pct(x))}, worst OOD perplexity ${range(ood, (x) => pct(x))}, own verdicts ${cs.map((c) => c.seedVerdict ?? c.verdict ?? c.status).join('/')}`
  })
}

function pushRow(table: InstanceType<typeof Table>, c: CandidateSummary, outcome: SweepOutcome): void {
  table.push([
    c.label + (outcome.recommended?.id === c.id ? ' *' : ''),
    c.lr.toExponential(1),
    c.status,
    `${c.stepsDone}/${c.stepsTotal}`,
    num(c.finalTrainLoss),
    c.target.relevance === null ? '–' : `${num(c.target.relevance)} (${signed(c.target.relevanceDelta)})`,
    c.target.perplexity === null ? '–' : `${num(c.target.perplexity, 2)} (${pct(c.target.perplexityChange)})`,
    worst(c),
    pct(c.failRateChange),
    c.verdict ?? (c.status === 'diverged' ? 'diverged' : '–'),
  ].map(inert))
}

/** "target perplexity -5.6% [-6.1%, -5.0%]": a candidate's objective against the baseline, per cohort when several. */
export function objectiveText(c: CandidateSummary, outcome: Pick<SweepOutcome, 'objective'>): string | null {
  const o = c.objective
  if (!o || o.cohorts.length === 0) return null
  const f = o.relative ? (x: number | null) => pct(x) : (x: number | null) => signed(x)
  const name = objectiveName(outcome.objective ?? DEFAULT_OBJECTIVE)
  const one = (x: (typeof o.cohorts)[number]) => `${f(x.delta)} [${f(x.ciLow)}, ${f(x.ciHigh)}]`
  return o.cohorts.length === 1 ? `${name} ${one(o.cohorts[0])}` : `${name} ${o.cohorts.map((x) => `${x.cohort} ${one(x)}`).join(', ')}`
}

/** One plain sentence: what to ship, or why nothing may. */
export function recommendationLine(outcome: SweepOutcome): string {
  const r = outcome.recommended
  const against = inert(outcome.baseline?.label ?? '–')
  if (r) {
    const gain =
      objectiveText(r, outcome) ?? (r.target.perplexityChange !== null ? `target perplexity ${pct(r.target.perplexityChange)}` : `target relevance ${signed(r.target.relevanceDelta)}`)
    const ref = `run:${outcome.runId}:${r.label}`
    const line = `Recommended: ${r.label} (lr ${r.lr}): ${gain} against ${against}, and every gate rule passes. Ship it with: ${hint(`baseline promote ${ref.includes(' ') ? `"${ref}"` : ref}`)}`
    const remedy = remedyLine(outcome, r)
    return remedy === '' ? line : `${line}\n${inert(remedy)}`
  }
  const reasons = outcome.candidates.map((c) =>
    c.verdict === 'fail' ? `${c.label} fails ${c.failedRules.slice(0, 2).join(', ')}${c.failedRules.length > 2 ? ` and ${c.failedRules.length - 2} more` : ''}` : `${c.label} ${c.status}${c.statusReason ? ` (${c.statusReason})` : ''}`,
  )
  const keep = outcome.keep?.model ?? (outcome.baseline?.label === undefined ? 'the base model' : `the baseline (${against})`)
  const best = outcome.keep?.reason === 'objective' ? outcome.keep.best : null
  if (best) {
    const name = objectiveName(outcome.objective ?? DEFAULT_OBJECTIVE)
    const measured = objectiveText(best, outcome) ?? `${name} not measured`
    return `Keep ${keep}: no candidate that passes the gate improves ${name} on ${against} (its interval must lie wholly on the better side of zero; best: ${best.label}, ${measured}) — none may ship.`
  }
  return `No candidate passes the gate — none may ship; keep ${keep}. ${inert(reasons.join('; '))}.`
}

/** With remedies in the grid: the recommendation set against the best passing candidate without one. */
function remedyLine(outcome: SweepOutcome, r: CandidateSummary): string {
  if (outcome.candidates.every(isPlain)) return ''
  const gainOf = (c: CandidateSummary) => (c.target.perplexityChange !== null ? `target perplexity ${pct(c.target.perplexityChange)}` : `target relevance ${signed(c.target.relevanceDelta)}`)
  if (isPlain(r)) return `No remedy is needed: the best passing candidate is a plain full fine-tune.`
  const plain = outcome.withoutRemedy ?? null
  if (!plain) return `Without a remedy nothing passes: no plain full fine-tune clears the gate, so ${r.label} (${gainOf(r)}) is what the remedy buys.`
  return `Without a remedy the best that passes is ${plain.label}: ${gainOf(plain)}, against ${gainOf(r)} for ${r.label}.`
}
