import Table from 'cli-table3'

import type {SweepOutcome} from '../sweep/run-sweep.js'
import {configurationLabel} from '../sweep/seed-configurations.js'
import {type CandidateSummary, isPlain} from '../sweep/verdicts.js'
import {curveLines} from './curves.js'
import {DEFAULT_OBJECTIVE, objectiveName} from '../sweep/objective.js'
import {FAIL_RATE_METRIC} from '../../evaluators/names.js'
import {formatDelta, formatInterval} from '../gate/format.js'
import {recordsNeededFromFields, recordsNeededWords} from '../gate/records-needed.js'
import {tableLayout} from './table-width.js'
import {inert} from '../util/inert.js'
import {hint} from '../util/invocation.js'

const pct = (x: number | null, digits = 1) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(digits)}%`)
const num = (x: number | null, digits = 3) => (x === null ? '–' : x.toFixed(digits))
const signed = (x: number | null, digits = 3) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`)

/** The worst OOD row in the gate's own units (relative changes in %, fail rates in points), with its cohort. */
function worst(c: CandidateSummary): string {
  const w = c.worstOod
  if (!w) return '–'
  const relative = w.relative || w.metric === 'perplexity'
  return `${w.metric === 'perplexity' ? 'ppl' : w.metric === 'failRate' ? 'fail rate' : w.metric} ${formatDelta(w.metric, relative, w.delta)} ${formatInterval(w.metric, relative, w.ciLow, w.ciHigh)} ${w.cohort}`
}

/** The largest fail-rate rise in points, with its cohort (as the gate's failRate rows give it). */
function failRate(c: CandidateSummary): string {
  if (c.failRateChange === null) return '–'
  return `${formatDelta(FAIL_RATE_METRIC, false, c.failRateChange)}${c.failRateCohort ? ` ${c.failRateCohort}` : ''}`
}

/** The verdict as check prints it: "pass (?)" when a row passes only because its interval is too wide to decide. */
export function verdictText(c: CandidateSummary): string {
  if (c.verdict === null) return c.status === 'diverged' ? 'diverged' : '–'
  return c.verdict === 'pass' && (c.inconclusive?.length ?? 0) > 0 ? 'pass (?)' : c.verdict
}

/**
 * The inconclusive rows of the recommended candidate (or every passing one) as lines: "(?) relevance
 * maxDrop 0.01 on target:food: about 1,417 records would be needed (have 20)", worded as check words it (recordsNeededWords).
 */
export function inconclusiveLines(candidates: readonly CandidateSummary[]): string[] {
  return candidates.flatMap((c) =>
    (c.inconclusive ?? []).map((r) => {
      const need = recordsNeededFromFields(r)
      // a row of too few records was never tested: no interval to reach anywhere
      const why = need.kind === 'atLeast' ? 'too few records to test it' : 'the interval reaches past the limit'
      return `  (?) ${c.label}: ${r.rule} on ${r.cohort} is inconclusive (${why}): ${recordsNeededWords(need)} (have ${r.records})`
    }),
  )
}

/** The sweep's one table: every candidate with its training, target gain, forgetting and verdict. */
export function renderSweepTable(outcome: SweepOutcome): string {
  const head = ['candidate', 'lr', 'status', 'curve', 'steps', 'train loss', 'target rel (Δ)', 'target ppl (Δ)', 'worst OOD Δ [CI]', 'fail rate Δ (worst cohort)', 'verdict']
  // With more than one method the table groups by method (a header row each), in the grid's order.
  const methods = [...new Set(outcome.candidates.map((c) => c.method))]
  const grouped = methods.length > 1
  const rows: Array<string[] | [{colSpan: number; content: string}]> = []
  for (const method of methods) {
    if (grouped) rows.push([{colSpan: 11, content: method === 'lora' ? 'LoRA (adapters; base frozen)' : 'full fine-tune'}])
    for (const c of outcome.candidates.filter((x) => x.method === method)) rows.push(rowOf(c, outcome))
  }
  const table = new Table({
    head,
    style: {head: [], border: [], compact: true},
    colAligns: ['left', 'right', 'left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'left'],
    ...tableLayout(head, rows),
  })
  table.push(...rows)
  const spread = seedSpread(outcome.candidates)
  const curves = curveLines(outcome.candidates.map((c) => ({candidateId: c.id, label: c.label, diagnosis: c.curve})))
  return [table.toString(), ...spread, ...curves].map((l, i) => (i === 0 ? l : inert(l))).join('\n')
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

function rowOf(c: CandidateSummary, outcome: SweepOutcome): string[] {
  return [
    c.label + (outcome.recommended?.id === c.id ? ' *' : ''),
    c.lr.toExponential(1),
    c.status,
    c.curve.label,
    `${c.stepsDone}/${c.stepsTotal}`,
    num(c.finalTrainLoss),
    c.target.relevance === null ? '–' : `${num(c.target.relevance)} (${signed(c.target.relevanceDelta)})`,
    c.target.perplexity === null ? '–' : `${num(c.target.perplexity, 2)} (${pct(c.target.perplexityChange)})`,
    worst(c),
    failRate(c),
    verdictText(c),
  ].map(inert)
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
  const against = inert(outcome.baseline?.named ?? outcome.baseline?.label ?? '–')
  if (r) {
    const gain =
      objectiveText(r, outcome) ?? (r.target.perplexityChange !== null ? `target perplexity ${pct(r.target.perplexityChange)}` : `target relevance ${signed(r.target.relevanceDelta)}`)
    const ref = `run:${outcome.runId}:${r.label}`
    const open = r.inconclusive?.length ?? 0
    const passes = open === 0 ? 'every gate rule passes' : `every gate rule passes, ${open === 1 ? '1 row' : `${open} rows`} inconclusive (pass (?), below)`
    const line = `Recommended: ${r.label} (lr ${r.lr}): ${gain} against ${against}, and ${passes}. Ship it with: ${hint(`baseline promote ${ref.includes(' ') ? `"${ref}"` : ref}`)}`
    const remedy = remedyLine(outcome, r)
    const lines = [line, ...(remedy === '' ? [] : [inert(remedy)]), ...inconclusiveLines([r]).map(inert)]
    return lines.join('\n')
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
