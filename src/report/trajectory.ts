import Table from 'cli-table3'

import {InputError} from '../errors.js'
import {formatLr} from '../schedule/describe.js'
import {pickRows} from '../schedule/rows.js'
import {candidateSchedules, candidateSteps, runSteps, type TrainStepRow} from '../store/candidates.js'
import type {Store} from '../store/db.js'
import {type CandidateRow, getRun, runCandidates} from '../store/runs-read.js'
import {inert} from '../util/inert.js'

/** The values a run's candidate was trained with, step by step, as stored (train_steps). */
export interface StoredTrajectory {
  runId: number
  candidate: string
  /** the candidate's schedule type as stored (plateau, learned, cosine, …) */
  type: string
  steps: number[]
  lr: number[]
  /** null where the run stored none (rows written before migration 8, or no sweep.ema) */
  batchSize: Array<number | null>
  clipNorm: Array<number | null>
  weightDecay: Array<number | null>
  emaDecay: Array<number | null>
}

/**
 * Reads the stored trajectory of one candidate of a run: `label`, else the run's recommended
 * candidate, else its first trained one. InputError (exit 2) for a missing run, an unknown label,
 * a candidate that trained nothing, or a `type` other than the one the candidate used.
 */
export function storedTrajectory(db: Store, runId: number, label?: string, type?: string): StoredTrajectory {
  const run = getRun(db, runId)
  if (run === undefined) throw new InputError(`--run ${runId}: there is no run #${runId} in ${db.file}; see "lrgate runs list".`)
  const candidates = runCandidates(db, runId)
  const trained = candidates.filter((c) => c.parentId === null)
  const chosen: CandidateRow | undefined =
    label !== undefined ? candidates.find((c) => c.label === label) : (trained.find((c) => c.id === run.recommendedCandidateId) ?? trained[0])
  if (chosen === undefined) {
    const known = trained.map((c) => c.label).join(', ')
    throw new InputError(label === undefined ? `--run ${runId}: run #${runId} has no trained candidates.` : `--candidate "${label}": run #${runId} has no such candidate (trained ones: ${known}).`)
  }
  const rows: TrainStepRow[] = candidateSteps(db, chosen.id)
  if (rows.length === 0) throw new InputError(`--candidate "${chosen.label}": no steps stored for it in run #${runId} (${chosen.parentId !== null ? 'it is made from a trained candidate, not trained' : `status ${chosen.status}`}); pick a trained candidate.`)
  const stored = (JSON.parse(candidateSchedules(db, runId).get(chosen.id) ?? '{}') as {type?: string}).type ?? 'unknown'
  if (type !== undefined && type !== stored) throw new InputError(`--type ${type}: run #${runId}'s candidate ${chosen.label} was trained with a ${stored} schedule; drop --type or give --type ${stored}.`)
  return {
    runId, candidate: chosen.label, type: stored,
    steps: rows.map((r) => r.step), lr: rows.map((r) => r.lr),
    batchSize: rows.map((r) => r.batchSize ?? null), clipNorm: rows.map((r) => r.clipNorm ?? null),
    weightDecay: rows.map((r) => r.weightDecay ?? null), emaDecay: rows.map((r) => r.emaDecay ?? null),
  }
}

/** The trajectory as a step table (a subset of rows for long runs; a column only where values were stored). */
export function trajectoryTable(t: StoredTrajectory): string[] {
  const columns: Array<[string, Array<number | null>, (x: number) => string]> = [
    ['lr', t.lr, formatLr],
    ['batch', t.batchSize, String],
    ['clip norm', t.clipNorm, (x) => String(Number(x.toPrecision(6)))],
    ['weight decay', t.weightDecay, (x) => String(Number(x.toPrecision(6)))],
    ['ema decay', t.emaDecay, (x) => String(Number(x.toPrecision(6)))],
  ]
  const shown = columns.filter(([, values]) => values.some((v) => v !== null))
  const table = new Table({head: ['step', ...shown.map(([h]) => h)], colAligns: ['right', ...shown.map(() => 'right' as const)], style: {head: [], border: [], compact: true}})
  const rows = pickRows(t.steps.length)
  for (const i of rows.steps) table.push([String(t.steps[i]), ...shown.map(([, values, format]) => (values[i] === null ? '' : format(values[i]!)))])
  const lines = [`Run #${t.runId}, candidate ${inert(t.candidate)} (${t.type}): the values applied at each optimizer step, as stored.`, table.toString()]
  if (!rows.all) lines.push(`${rows.steps.length} of ${t.steps.length} steps shown: the first and last 3 and one every ${rows.stride} steps; --json prints all.`)
  return lines
}

/**
 * `runs show`'s block: per trained candidate whose stored batch size, clip norm, weight decay or
 * EMA decay changed during training, one line with each value's first → last (and the command that
 * shows every step). Empty when every value stayed constant (or none was stored).
 */
export function scheduledValueLines(db: Store, runId: number): string[] {
  const byCandidate = new Map<number, TrainStepRow[]>()
  for (const s of runSteps(db, runId)) byCandidate.set(s.candidateId, [...(byCandidate.get(s.candidateId) ?? []), s])
  const lines: string[] = []
  for (const c of runCandidates(db, runId)) {
    const rows = byCandidate.get(c.id) ?? []
    const parts = ([['batch', 'batchSize'], ['clip norm', 'clipNorm'], ['weight decay', 'weightDecay'], ['ema decay', 'emaDecay']] as const).flatMap(([name, key]) => {
      const values = rows.map((r) => r[key]).filter((v): v is number => v !== null && v !== undefined)
      if (values.length === 0 || values.every((v) => v === values[0])) return []
      const round = (x: number) => String(Number(x.toPrecision(4)))
      return [`${name} ${round(values[0])}→${round(values.at(-1)!)} (min ${round(Math.min(...values))}, max ${round(Math.max(...values))})`]
    })
    if (parts.length > 0) lines.push(`  ${inert(c.label)}: ${parts.join(', ')}`)
  }
  return lines.length === 0 ? [] : [`Scheduled values (every step: lrgate schedule --run ${runId} --candidate LABEL):`, ...lines]
}
