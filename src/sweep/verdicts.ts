import type {CohortRole} from '../datasets/types.js'
import type {GateRule} from '../config/eval-schema.js'
import {runSteps, setCandidateVerdict} from '../store/candidates.js'
import type {Store} from '../store/db.js'
import {cohortMetrics, getEvaluation, storedRecords} from '../store/evaluations.js'
import {type CandidateRow, runCandidates} from '../store/runs-read.js'
import {runCheck} from '../gate/run-check.js'
import {storedGateReport} from '../gate/stored-report.js'
import {recordsNeededFields, recordsNeededOf} from '../gate/records-needed.js'
import type {StoredGateRow} from '../store/gates.js'
import {configurationLabel} from './seed-configurations.js'
import {type Diagnosis, diagnoseCandidates} from '../schedule/diagnosis.js'
import {compareObjective, DEFAULT_OBJECTIVE, type Objective, type ObjectiveResult} from './objective.js'

/**
 * A passing gate row whose interval reaches past its limit, with the records that would settle it
 * (recordsNeededOf: null when no count is given; `recordsNeededOver` 100 × records when more than that would be needed).
 */
export interface InconclusiveRow {
  rule: string
  cohort: string
  recordsNeeded: number | null
  recordsNeededOver: number | null
  records: number
}

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
  /** sweep.ema: the decay of the weight average its model holds; null for the trained weights */
  ema: number | null
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
  /** the largest fail-rate rise over cohorts (a fraction: 0.15 = 15 points) and its cohort */
  failRateChange: number | null
  failRateCohort?: string | null
  failedRules: string[]
  /** rows that pass but are inconclusive ("pass (?)" in check): the interval reaches past the limit */
  inconclusive?: InconclusiveRow[]
  /** sweep.objective against the gate baseline (null: not evaluated); with seeds, the configuration's (seed mean) */
  objective: ObjectiveResult | null
  /** `--seeds N`: this seed's own verdict; `verdict` above is its configuration's, from the seeds' mean */
  seedVerdict?: 'pass' | 'fail' | null
  /** `--seeds N`: the configuration this seed belongs to, gated on the per-record mean of its seeds' evaluations */
  configuration?: ConfigurationSummary
  /** the diagnosis of its stored training curve (src/schedule/diagnosis.ts) */
  curve: Diagnosis
}

/** A configuration of a `--seeds N` sweep (every seed of it shares this). */
export interface ConfigurationSummary {
  label: string
  seeds: number
  /** the seed-mean evaluation; null when a seed did not finish (then the configuration fails) */
  evaluationId: number | null
  gateId: number | null
  verdict: 'pass' | 'fail'
  target: CandidateSummary['target']
  worstOod: CandidateSummary['worstOod']
  failedRules: string[]
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
 * summarises all candidates, diverged and failed ones included. With several seeds per
 * configuration (`seedMean` given), each configuration is also gated on the per-record mean of its
 * seeds' evaluations (`seedMean` stores it and returns its id), and that decision is every one of
 * its seeds' verdict; a configuration with a seed that did not finish fails.
 */
export function gateCandidates(
  db: Store,
  runId: number,
  baselineEvaluationId: number,
  gate: GateSettings,
  roles: ReadonlyMap<string, CohortRole>,
  seedMean?: (evaluationIds: readonly number[]) => number,
): CandidateSummary[] {
  const base = cohortMetrics(db, baselineEvaluationId)
  const baselineData = {row: getEvaluation(db, baselineEvaluationId)!, records: storedRecords(db, baselineEvaluationId)}
  const gateOne = (evaluationId: number) => ({
    ...gateEvaluation(db, evaluationId, baselineEvaluationId, base, gate, roles),
    objective: compareObjective(baselineData, {row: getEvaluation(db, evaluationId)!, records: storedRecords(db, evaluationId)}, gate.objective ?? DEFAULT_OBJECTIVE, roles, {
      confidence: gate.confidence, resamples: gate.resamples, seed: gate.seed,
    }),
  })
  const curves = new Map(diagnoseCandidates(runCandidates(db, runId), runSteps(db, runId)).map((c) => [c.candidateId, c.diagnosis]))
  const summaries = runCandidates(db, runId).map((c) => {
    const gated = c.evaluationId !== null && c.status === 'completed' ? gateOne(c.evaluationId) : null
    if (gated) setCandidateVerdict(db, c.id, gated.gateId, gated.verdict)
    return {
      id: c.id, label: c.label, lr: c.lr, ...recipeOf(c), status: c.status, statusReason: c.statusReason, stepsDone: c.stepsDone, stepsTotal: c.stepsTotal,
      finalTrainLoss: c.finalTrainLoss, evaluationId: c.evaluationId, verdict: gated?.verdict ?? null, gateId: gated?.gateId ?? null, curve: curves.get(c.id)!,
      target: gated?.target ?? {relevance: null, relevanceDelta: null, perplexity: null, perplexityChange: null},
      worstOod: gated?.worstOod ?? null, failRateChange: gated?.failRateChange ?? null, failRateCohort: gated?.failRateCohort ?? null,
      failedRules: gated?.failedRules ?? [], inconclusive: gated?.inconclusive ?? [], objective: gated?.objective ?? null,
    } satisfies CandidateSummary as CandidateSummary
  })
  if (seedMean === undefined) return summaries
  const groups = new Map<string, CandidateSummary[]>()
  for (const c of summaries) groups.set(configurationLabel(c.label), [...(groups.get(configurationLabel(c.label)) ?? []), c])
  for (const [label, members] of groups) {
    if (members.length < 2) continue
    const unfinished = members.filter((m) => m.evaluationId === null || m.status !== 'completed')
    let configuration: ConfigurationSummary
    if (unfinished.length === 0) {
      const evaluationId = seedMean(members.map((m) => m.evaluationId!))
      const gated = gateOne(evaluationId)
      configuration = {
        label, seeds: members.length, evaluationId, gateId: gated.gateId, verdict: gated.verdict, target: gated.target, worstOod: gated.worstOod, failedRules: gated.failedRules,
        objective: gated.objective,
      }
    } else {
      const why = `${unfinished.length} of ${members.length} seeds did not finish (${unfinished.map((m) => m.status).join(', ')})`
      configuration = {label, seeds: members.length, evaluationId: null, gateId: null, verdict: 'fail', target: members[0].target, worstOod: null, failedRules: [why], objective: null}
    }
    for (const m of members) {
      m.seedVerdict = m.verdict
      m.configuration = configuration
      if (m.verdict === null) continue
      m.verdict = configuration.verdict
      m.failedRules = configuration.failedRules
      m.objective = configuration.objective
      m.gateId = configuration.gateId ?? m.gateId
      setCandidateVerdict(db, m.id, m.gateId, m.verdict)
    }
  }
  return summaries
}

/** One gate decision (stored) of an evaluation against the baseline, with what the sweep table shows of it. */
function gateEvaluation(
  db: Store,
  evaluationId: number,
  baselineEvaluationId: number,
  base: ReturnType<typeof cohortMetrics>,
  gate: GateSettings,
  roles: ReadonlyMap<string, CohortRole>,
) {
  const report = runCheck(db, {
    candidate: String(evaluationId), baseline: String(baselineEvaluationId), rules: gate.rules,
    confidence: gate.confidence, resamples: gate.resamples, seed: gate.seed, onSharedRecords: false,
  })
  // Rendered from the stored view (as check, runs show and the report are); the computed rows only when the store refused them.
  const rows: readonly StoredGateRow[] = report.gateId === null ? report.results : (storedGateReport(db, report.gateId)?.results ?? report.results)
  const metricOf = (rows: typeof base, metric: string) => rows.filter((r) => r.metric === metric && roles.get(r.cohort) === 'target')
  const mine = cohortMetrics(db, evaluationId)
  const pair = (metric: string) => ({value: mean(metricOf(mine, metric).map((r) => r.value)), base: mean(metricOf(base, metric).map((r) => r.value))})
  const rel = pair('relevance'), ppl = pair('perplexity')
  const worstFailRate = rows.filter((r) => r.metric === 'failRate' && r.delta !== null).reduce<StoredGateRow | null>((m, r) => (m === null || r.delta! > m.delta! ? r : m), null)
  return {
    verdict: report.verdict,
    gateId: report.gateId,
    target: {
      relevance: rel.value,
      relevanceDelta: rel.value !== null && rel.base !== null ? rel.value - rel.base : null,
      perplexity: ppl.value,
      perplexityChange: ppl.value !== null && ppl.base !== null ? (ppl.value - ppl.base) / ppl.base : null,
    },
    worstOod: worstOod(rows, roles),
    failRateChange: worstFailRate?.delta ?? null,
    failRateCohort: worstFailRate?.cohort ?? null,
    inconclusive: inconclusiveRows(rows),
    failedRules: [...new Set(rows.filter((r) => r.status === 'fail').map((r) => `${r.rule} (${r.cohort})`))],
  }
}

/** The rows that pass only inconclusively, with the records that would settle each as the gate estimates them (recordsNeededOf). */
export function inconclusiveRows(rows: readonly StoredGateRow[]): InconclusiveRow[] {
  return rows
    .filter((r) => r.status === 'pass' && r.inconclusive === true)
    .map((r) => ({rule: r.rule, cohort: r.cohort, ...recordsNeededFields(recordsNeededOf(r)), records: r.records ?? 0}))
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
  // With seeds, configurations are ranked by their seed mean, not by their luckiest seed.
  const target = c.configuration?.target ?? c.target
  return target.perplexityChange !== null ? -target.perplexityChange : (target.relevanceDelta ?? Number.NEGATIVE_INFINITY)
}

/** The objective gain used for ranking (the target gain when no objective was measured). */
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

/** Whether a candidate uses no remedy: a full fine-tune without replay, interpolation or weight average. */
export function isPlain(c: Pick<CandidateSummary, 'method' | 'replay' | 'interpolate'> & {ema?: number | null}): boolean {
  return c.method === 'full' && c.replay === 0 && c.interpolate === 1 && (c.ema ?? null) === null
}

/** The best passing candidate without a remedy (a plain full fine-tune): what the remedies are measured against. */
export function bestWithoutRemedy(candidates: readonly CandidateSummary[]): CandidateSummary | null {
  return recommend(candidates.filter(isPlain))
}

function recipeOf(c: CandidateRow): Pick<CandidateSummary, 'method' | 'rank' | 'alpha' | 'replay' | 'interpolate' | 'ema' | 'seed'> {
  const lora = c.lora === null ? null : (JSON.parse(c.lora) as {rank: number; alpha: number})
  return {method: c.method ?? 'full', rank: lora?.rank ?? null, alpha: lora?.alpha ?? null, replay: c.replay ?? 0, interpolate: c.interpolate ?? 1, ema: c.emaDecay ?? null, seed: c.seed}
}
