import type {CohortRole} from '../datasets/types.js'
import type {GateRule} from '../config/eval-schema.js'
import {setCandidateVerdict} from '../store/candidates.js'
import type {Store} from '../store/db.js'
import {cohortMetrics, getEvaluation, storedRecords} from '../store/evaluations.js'
import {type CandidateRow, runCandidates} from '../store/runs-read.js'
import {runCheck} from '../gate/run-check.js'
import type {GateRow} from '../gate/types.js'
import {deriveSeed} from '../util/rng.js'
import {compareObjective, DEFAULT_OBJECTIVE, type Objective, type ObjectiveResult} from './objective.js'

/** One candidate as the sweep's table and JSON show it. */
export interface CandidateSummary {
  id: number
  label: string
  lr: number
  /** the remedy grid: how the candidate was made (full, no replay, 1 for candidates of plain sweeps) */
  method: 'full' | 'lora'
  rank: number | null
  alpha: number | null
  replay: number
  interpolate: number
  seed: number
  status: string
  statusReason: string | null
  stepsDone: number
  stepsTotal: number
  finalTrainLoss: number | null
  evaluationId: number | null
  verdict: 'pass' | 'fail' | null
  gateId: number | null
  /** target cohorts (mean over them): value and change against the baseline */
  target: {relevance: number | null; relevanceDelta: number | null; perplexity: number | null; perplexityChange: number | null}
  /** the OOD row to show: a failed quality row (relevance, hallucination, json-valid, failRate), else the worst perplexity rise, else relevance drop */
  worstOod: {cohort: string; metric: string; delta: number; ciLow: number; ciHigh: number; relative: boolean} | null
  /** the largest fail-rate rise over cohorts */
  failRateChange: number | null
  failedRules: string[]
  /** sweep.objective against the gate baseline (null: not evaluated) */
  objective: ObjectiveResult | null
}

export interface GateSettings {
  rules: readonly GateRule[]
  confidence: number
  resamples: number
  seed: number
  /** sweep.objective (default target perplexity) */
  objective?: Objective
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)

/**
 * Gates every evaluated candidate against the baseline evaluation (stores each decision) and
 * summarises all candidates, diverged and failed ones included.
 */
export function gateCandidates(db: Store, runId: number, baselineEvaluationId: number, gate: GateSettings, roles: ReadonlyMap<string, CohortRole>): CandidateSummary[] {
  const base = cohortMetrics(db, baselineEvaluationId)
  const metricOf = (rows: typeof base, metric: string, role: CohortRole) => rows.filter((r) => r.metric === metric && roles.get(r.cohort) === role)
  const baselineData = {row: getEvaluation(db, baselineEvaluationId)!, records: storedRecords(db, baselineEvaluationId)}
  return runCandidates(db, runId).map((c) => {
    let rows: GateRow[] = []
    let verdict: 'pass' | 'fail' | null = null
    let gateId: number | null = null
    const target = {relevance: null as number | null, relevanceDelta: null as number | null, perplexity: null as number | null, perplexityChange: null as number | null}
    let objective: ObjectiveResult | null = null
    if (c.evaluationId !== null && c.status === 'completed') {
      objective = compareObjective(baselineData, {row: getEvaluation(db, c.evaluationId)!, records: storedRecords(db, c.evaluationId)}, gate.objective ?? DEFAULT_OBJECTIVE, roles, {
        confidence: gate.confidence, resamples: gate.resamples, seed: deriveSeed(gate.seed, `objective:${c.label}`),
      })
      const report = runCheck(db, {
        candidate: String(c.evaluationId), baseline: String(baselineEvaluationId), rules: gate.rules,
        confidence: gate.confidence, resamples: gate.resamples, seed: deriveSeed(gate.seed, `gate:${c.label}`), onSharedRecords: false,
      })
      rows = report.results
      verdict = report.verdict
      gateId = report.gateId
      setCandidateVerdict(db, c.id, gateId, verdict)
      const mine = cohortMetrics(db, c.evaluationId)
      const pair = (metric: string) => {
        const b = metricOf(base, metric, 'target'), m = metricOf(mine, metric, 'target')
        return {value: mean(m.map((r) => r.value)), base: mean(b.map((r) => r.value))}
      }
      const rel = pair('relevance'), ppl = pair('perplexity')
      target.relevance = rel.value
      target.relevanceDelta = rel.value !== null && rel.base !== null ? rel.value - rel.base : null
      target.perplexity = ppl.value
      target.perplexityChange = ppl.value !== null && ppl.base !== null ? (ppl.value - ppl.base) / ppl.base : null
    }
    return {
      id: c.id, label: c.label, lr: c.lr, ...recipeOf(c), status: c.status, statusReason: c.statusReason, stepsDone: c.stepsDone, stepsTotal: c.stepsTotal,
      finalTrainLoss: c.finalTrainLoss, evaluationId: c.evaluationId, verdict, gateId, target,
      worstOod: worstOod(rows, roles),
      failRateChange: rows.filter((r) => r.metric === 'failRate' && r.delta !== null).reduce<number | null>((m, r) => (m === null || r.delta! > m ? r.delta! : m), null),
      failedRules: [...new Set(rows.filter((r) => r.status === 'fail').map((r) => `${r.rule} (${r.cohort})`))],
      objective,
    }
  })
}

/**
 * The OOD row to show: a failed row of a quality metric (relevance, hallucination, JSON validity,
 * fail rate — the one furthest beyond its limit, in limits), else the worst perplexity rise, else
 * the worst relevance drop.
 */
function worstOod(rows: readonly GateRow[], roles: ReadonlyMap<string, CohortRole>): CandidateSummary['worstOod'] {
  const ood = rows.filter((r) => roles.get(r.cohort) === 'ood' && r.delta !== null && r.ciLow !== null && r.ciHigh !== null)
  const beyond = (r: GateRow) => Math.abs(r.delta! - (r.limit ?? 0)) / Math.max(Math.abs(r.limit ?? 0), 1e-9)
  const failed = ood.filter((r) => r.status === 'fail' && r.metric !== 'perplexity')
  const ppl = ood.filter((r) => r.metric === 'perplexity')
  const pick =
    failed.length > 0
      ? failed.reduce((a, b) => (beyond(b) > beyond(a) ? b : a))
      : ppl.length > 0
        ? ppl.reduce((a, b) => (b.delta! > a.delta! ? b : a))
        : ood.filter((r) => r.metric === 'relevance').reduce<GateRow | null>((a, b) => (a === null || b.delta! < a.delta! ? b : a), null)
  return pick ? {cohort: pick.cohort, metric: pick.metric, delta: pick.delta!, ciLow: pick.ciLow!, ciHigh: pick.ciHigh!, relative: pick.relative} : null
}

/** A candidate's target gain: the drop in target perplexity, or (without perplexity) the rise in target relevance. */
export function targetGain(c: CandidateSummary): number {
  return c.target.perplexityChange !== null ? -c.target.perplexityChange : (c.target.relevanceDelta ?? Number.NEGATIVE_INFINITY)
}

/** The objective gain used for ranking (falls back to the target gain when no objective was measured). */
function objectiveGain(c: CandidateSummary): number {
  return c.objective ? (c.objective.gain ?? Number.NEGATIVE_INFINITY) : targetGain(c)
}

/**
 * The candidate to ship: among those that pass the gate and improve on what they would replace (the
 * gate baseline: base or promoted model) by sweep.objective — every objective cohort's paired
 * interval wholly on the better side of zero — the one with the largest objective gain, whatever
 * its method or remedy. Null: nothing may replace the baseline (keep it).
 */
export function recommend(candidates: readonly CandidateSummary[]): CandidateSummary | null {
  const eligible = candidates.filter((c) => c.verdict === 'pass' && (c.objective === null || c.objective.improves))
  return eligible.length === 0 ? null : eligible.reduce((best, c) => (objectiveGain(c) > objectiveGain(best) ? c : best))
}

/** The passing candidate with the best objective estimate, whether or not its interval clears zero. */
export function bestPassing(candidates: readonly CandidateSummary[]): CandidateSummary | null {
  const passing = candidates.filter((c) => c.verdict === 'pass')
  return passing.length === 0 ? null : passing.reduce((best, c) => (objectiveGain(c) > objectiveGain(best) ? c : best))
}

/** Whether a candidate uses no remedy: a full fine-tune without replay or interpolation. */
export function isPlain(c: Pick<CandidateSummary, 'method' | 'replay' | 'interpolate'>): boolean {
  return c.method === 'full' && c.replay === 0 && c.interpolate === 1
}

/** The best passing candidate without a remedy (a plain full fine-tune): what the remedies are measured against. */
export function bestWithoutRemedy(candidates: readonly CandidateSummary[]): CandidateSummary | null {
  return recommend(candidates.filter(isPlain))
}

function recipeOf(c: CandidateRow): Pick<CandidateSummary, 'method' | 'rank' | 'alpha' | 'replay' | 'interpolate' | 'seed'> {
  const lora = c.lora === null ? null : (JSON.parse(c.lora) as {rank: number; alpha: number})
  return {method: c.method ?? 'full', rank: lora?.rank ?? null, alpha: lora?.alpha ?? null, replay: c.replay ?? 0, interpolate: c.interpolate ?? 1, seed: c.seed}
}
