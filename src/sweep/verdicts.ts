import type {CohortRole} from '../datasets/types.js'
import type {GateRule} from '../config/eval-schema.js'
import {setCandidateVerdict} from '../store/candidates.js'
import type {Store} from '../store/db.js'
import {cohortMetrics} from '../store/evaluations.js'
import {type CandidateRow, runCandidates} from '../store/runs-read.js'
import {runCheck} from '../gate/run-check.js'
import {storedGateReport} from '../gate/stored-report.js'
import type {StoredGateRow} from '../store/gates.js'

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
}

export interface GateSettings {
  rules: readonly GateRule[]
  confidence: number
  resamples: number
  seed: number
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)

/**
 * Gates every evaluated candidate against the baseline evaluation (stores each decision) and
 * summarises all candidates, diverged and failed ones included.
 */
export function gateCandidates(db: Store, runId: number, baselineEvaluationId: number, gate: GateSettings, roles: ReadonlyMap<string, CohortRole>): CandidateSummary[] {
  const base = cohortMetrics(db, baselineEvaluationId)
  const metricOf = (rows: typeof base, metric: string, role: CohortRole) => rows.filter((r) => r.metric === metric && roles.get(r.cohort) === role)
  return runCandidates(db, runId).map((c) => {
    let rows: readonly StoredGateRow[] = []
    let verdict: 'pass' | 'fail' | null = null
    let gateId: number | null = null
    const target = {relevance: null as number | null, relevanceDelta: null as number | null, perplexity: null as number | null, perplexityChange: null as number | null}
    if (c.evaluationId !== null && c.status === 'completed') {
      const report = runCheck(db, {
        candidate: String(c.evaluationId), baseline: String(baselineEvaluationId), rules: gate.rules,
        confidence: gate.confidence, resamples: gate.resamples, seed: gate.seed, onSharedRecords: false,
      })
      // Rendered from the stored view (as check, runs show and the report are), the computed rows only when the store refused them.
      rows = report.gateId === null ? report.results : (storedGateReport(db, report.gateId)?.results ?? report.results)
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
    }
  })
}

/**
 * The OOD row to show: a failed row of a quality metric (relevance, hallucination, JSON validity,
 * fail rate — the one furthest beyond its limit, in limits), else the worst perplexity rise, else
 * the worst relevance drop.
 */
function worstOod(rows: readonly StoredGateRow[], roles: ReadonlyMap<string, CohortRole>): CandidateSummary['worstOod'] {
  const ood = rows.filter((r) => roles.get(r.cohort) === 'ood' && r.delta !== null && r.ciLow !== null && r.ciHigh !== null)
  const beyond = (r: StoredGateRow) => Math.abs(r.delta! - (r.limit ?? 0)) / Math.max(Math.abs(r.limit ?? 0), 1e-9)
  const failed = ood.filter((r) => r.status === 'fail' && r.metric !== 'perplexity')
  const ppl = ood.filter((r) => r.metric === 'perplexity')
  const pick =
    failed.length > 0
      ? failed.reduce((a, b) => (beyond(b) > beyond(a) ? b : a))
      : ppl.length > 0
        ? ppl.reduce((a, b) => (b.delta! > a.delta! ? b : a))
        : ood.filter((r) => r.metric === 'relevance').reduce<StoredGateRow | null>((a, b) => (a === null || b.delta! < a.delta! ? b : a), null)
  return pick ? {cohort: pick.cohort, metric: pick.metric, delta: pick.delta!, ciLow: pick.ciLow!, ciHigh: pick.ciHigh!, relative: pick.relative === true} : null
}

/** A candidate's target gain: the drop in target perplexity, or (without perplexity) the rise in target relevance. */
export function targetGain(c: CandidateSummary): number {
  return c.target.perplexityChange !== null ? -c.target.perplexityChange : (c.target.relevanceDelta ?? Number.NEGATIVE_INFINITY)
}

/**
 * The candidate to ship: among those that pass the gate, whatever their method or remedy, the
 * best target gain — the largest drop in target perplexity, or (without perplexity) the largest
 * rise in target relevance.
 */
export function recommend(candidates: readonly CandidateSummary[]): CandidateSummary | null {
  const passing = candidates.filter((c) => c.verdict === 'pass')
  return passing.length === 0 ? null : passing.reduce((best, c) => (targetGain(c) > targetGain(best) ? c : best))
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
