/**
 * Diagnosis of a training curve from its stored steps, in plain words: diverged early, plateaued
 * early, oscillating late, or healthy (the failure modes of a training-scheduler guide, each with
 * its likely cause). Pure: no tfjs, no store; the views (sweep table, `runs show`, the report) call it
 * through `diagnoseCandidates` with the stored rows.
 *
 * Rules, checked in this order (thresholds in DIAGNOSIS_THRESHOLDS, stated in docs/diagnosis.md):
 * 1. diverged early — the run stopped as diverged, a loss is non-finite, or the smoothed train loss
 *    rose above `divergeRise` × its starting level; "early" when it happened in the first half of
 *    the budget. Likely: lr too high or no warmup.
 * 2. plateaued early — the train loss fell less than `plateauDrop` (relative) from the start window
 *    to the end window, and the stored validation losses (if any) span less than `plateauDrop` of
 *    their mean. Likely: lr too low or decayed too soon.
 * 3. oscillating late — in the last `lateShare` of the run the lr is still ≥ `undecayed` × its peak,
 *    the train loss's least-squares trend there falls less than the sd of its residuals (it no
 *    longer improves), and that sd exceeds `oscillation` × the loss level. Likely: lr not decayed enough.
 * 4. healthy — none of the above.
 */

/** One stored step, as much of it as the rules read. */
export interface CurveStep {
  step: number
  lr: number
  loss: number
  valLoss: number | null
}

export interface CurveInput {
  steps: readonly CurveStep[]
  /** the candidate's planned optimizer steps */
  stepsTotal: number
  /** stored candidate status ('diverged' marks a divergence the trainer detected) */
  status?: string
}

export type DiagnosisKind = 'diverged-early' | 'diverged' | 'plateaued-early' | 'oscillating-late' | 'healthy' | 'no-curve'

export interface Diagnosis {
  kind: DiagnosisKind
  /** short label for a table cell, e.g. "plateaued early" */
  label: string
  /** one sentence: what the curve did, with the numbers, and the likely cause */
  reason: string
}

/** The thresholds of the rules (documented in docs/diagnosis.md). */
export const DIAGNOSIS_THRESHOLDS = {
  /** smoothed loss above this multiple of its starting level is a divergence */
  divergeRise: 1.5,
  /** share of the steps averaged for the start and end levels (at least 2 steps) */
  window: 0.1,
  /** a relative fall of the train loss below this, start to end, is a plateau */
  plateauDrop: 0.01,
  /** the late part of the run: its last quarter */
  lateShare: 0.25,
  /** the lr counts as undecayed while it is at least this share of its peak */
  undecayed: 0.5,
  /** late swings (sd of the train loss around its trend) above this share of the loss level oscillate */
  oscillation: 0.02,
} as const

const LIKELY = {
  diverged: 'likely: lr too high or no warmup',
  plateau: 'likely: lr too low or decayed too soon',
  oscillating: 'likely: lr not decayed enough',
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const pct = (x: number) => `${(100 * x).toFixed(1)}%`

/**
 * Diagnoses one candidate's curve.
 * @example diagnoseCurve({steps, stepsTotal: 300, status: 'completed'}).label // "healthy"
 */
export function diagnoseCurve(input: CurveInput, t = DIAGNOSIS_THRESHOLDS): Diagnosis {
  const steps = [...input.steps].sort((a, b) => a.step - b.step)
  const total = Math.max(input.stepsTotal, steps.length)
  const half = total / 2
  const divergedAt = (at: number, what: string): Diagnosis => at < half
    ? {kind: 'diverged-early', label: 'diverged early', reason: `${what} at step ${at} of ${total}; ${LIKELY.diverged}`}
    : {kind: 'diverged', label: 'diverged', reason: `${what} at step ${at} of ${total} (late: check the lr near the end and the data there)`}

  const nonFinite = steps.find((s) => !Number.isFinite(s.loss))
  if (nonFinite) return divergedAt(nonFinite.step, `the loss became ${nonFinite.loss}`)
  if (input.status === 'diverged') return divergedAt(steps.length > 0 ? steps[steps.length - 1].step + 1 : 0, 'training diverged')
  if (steps.length < 4) return {kind: 'no-curve', label: '—', reason: `too few stored steps (${steps.length}) to diagnose`}

  // 1) divergence: a smoothed loss far above the starting level
  const w = Math.max(2, Math.round(t.window * steps.length))
  const start = mean(steps.slice(0, w).map((s) => s.loss))
  for (let i = w; i + w <= steps.length; i++) {
    const level = mean(steps.slice(i, i + w).map((s) => s.loss))
    if (level > t.divergeRise * start) return divergedAt(steps[i].step, `the smoothed loss rose to ${level.toFixed(3)}, ${(level / start).toFixed(1)}× its start ${start.toFixed(3)},`)
  }

  // 2) plateau: almost no fall from start to end
  const end = mean(steps.slice(-w).map((s) => s.loss))
  const drop = (start - end) / Math.abs(start)
  const vals = steps.map((s) => s.valLoss).filter((v): v is number => v !== null && Number.isFinite(v))
  const valMoved = vals.length >= 2 ? (Math.max(...vals) - Math.min(...vals)) / mean(vals) : 0
  if (drop < t.plateauDrop && valMoved < t.plateauDrop) {
    const val = vals.length >= 2 ? ` and the validation loss moved ${pct(valMoved)}` : ''
    return {kind: 'plateaued-early', label: 'plateaued early', reason: `the train loss fell ${pct(drop)} (${start.toFixed(3)} → ${end.toFixed(3)})${val}, under ${pct(t.plateauDrop)}; ${LIKELY.plateau}`}
  }

  // 3) oscillation late: an undecayed lr, and a loss that no longer falls but swings around its level
  const lateFrom = total * (1 - t.lateShare)
  const late = steps.filter((s) => s.step >= lateFrom)
  const peak = Math.max(...steps.map((s) => s.lr))
  const endLr = steps[steps.length - 1].lr
  if (late.length >= 4 && peak > 0 && endLr >= t.undecayed * peak) {
    const {fall, spread, level} = trend(late.map((s) => s.step), late.map((s) => s.loss))
    if (fall < spread && spread / level > t.oscillation) {
      return {
        kind: 'oscillating-late',
        label: 'oscillating late',
        reason: `in the last ${pct(t.lateShare)} the train loss swings by ${pct(spread / level)} (sd) around ${level.toFixed(3)} and its trend falls only ${fall.toFixed(3)}, while the lr stays at ${pct(endLr / peak)} of its peak; ${LIKELY.oscillating}`,
      }
    }
  }
  return {kind: 'healthy', label: 'healthy', reason: `the train loss fell ${pct(drop)} (${start.toFixed(3)} → ${end.toFixed(3)}) without divergence, plateau or late oscillation`}
}

/** Least-squares line through (x, y): its fall over the x range, the sd of the residuals, the mean. */
function trend(x: readonly number[], y: readonly number[]): {fall: number; spread: number; level: number} {
  const mx = mean(x), my = mean(y)
  let sxy = 0, sxx = 0
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my)
    sxx += (x[i] - mx) ** 2
  }
  const slope = sxx > 0 ? sxy / sxx : 0
  const residuals = y.map((v, i) => v - (my + slope * (x[i] - mx)))
  const spread = Math.sqrt(residuals.reduce((a, r) => a + r * r, 0) / Math.max(1, y.length - 2))
  return {fall: -slope * (x[x.length - 1] - x[0]), spread, level: my}
}

/** A candidate as the store keeps it, and one of its stored steps. */
export interface CandidateFacts {
  id: number
  label: string
  stepsTotal: number
  status: string
}

/** A candidate's curve diagnosis as the views show it (sweep table and JSON, `runs show`, the report). */
export interface CandidateCurve {
  candidateId: number
  label: string
  diagnosis: Diagnosis
}

/**
 * Diagnoses every candidate from its stored steps (rows of any candidate, in any order). A candidate
 * without steps of its own (a WiSE-FT interpolation of a trained one) gets the `no-curve` kind.
 */
export function diagnoseCandidates(candidates: readonly CandidateFacts[], steps: readonly (CurveStep & {candidateId: number})[]): CandidateCurve[] {
  const byCandidate = new Map<number, CurveStep[]>()
  for (const s of steps) {
    const list = byCandidate.get(s.candidateId) ?? []
    list.push(s)
    byCandidate.set(s.candidateId, list)
  }
  return candidates.map((c) => ({candidateId: c.id, label: c.label, diagnosis: diagnoseCurve({steps: byCandidate.get(c.id) ?? [], stepsTotal: c.stepsTotal, status: c.status})}))
}
