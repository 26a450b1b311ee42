import {InputError} from '../errors.js'
import {storedGateReport} from '../gate/stored-report.js'
import {scheduleValues, type ScheduleSpec, scheduleSpecSchema} from '../schedule/index.js'
import {candidateSchedules, runSteps} from '../store/candidates.js'
import {runCurves} from './curves.js'
import {getStoredDataset} from '../store/datasets.js'
import type {Store} from '../store/db.js'
import {cohortMetrics, getEvaluation} from '../store/evaluations.js'
import {getRun, latestSweepRun, listRuns, type RunRow, runCandidates} from '../store/runs-read.js'
import {runExtras} from '../store/runs.js'
import type {ReportGate, ReportMetric, ReportStep, RunReportData} from './html/types.js'
import {hint} from '../util/invocation.js'

/**
 * The run a report argument names: a run id, or `latest` (the latest sweep). Unknown runs are an
 * InputError saying which runs exist.
 *
 * @example resolveReportRun(db, 'latest').id
 */
export function resolveReportRun(db: Store, ref: string): RunRow {
  const trimmed = ref.trim()
  if (trimmed === 'latest') {
    const run = latestSweepRun(db)
    if (run === undefined) throw new InputError(`run "latest": no sweep run is stored yet; ${whatExists(db)}.`)
    return run
  }
  if (!/^\d+$/.test(trimmed)) throw new InputError(`run "${ref}": give a run id or "latest"; ${whatExists(db)}.`)
  const run = getRun(db, Number(trimmed))
  if (run === undefined) throw new InputError(`run "${ref}": there is no run #${trimmed}; ${whatExists(db)}.`)
  return run
}

function whatExists(db: Store): string {
  const runs = listRuns(db, 5)
  if (runs.length === 0) return `the database holds no runs yet; run "${hint('sweep')}" first`
  return `recent runs are ${runs.map((r) => `#${r.id}${r.name === null ? '' : ` (${r.name})`}`).join(', ')} (see "${hint('runs list')}")`
}

/**
 * Reads everything the HTML report of one run shows: the run's facts, each candidate's steps, planned
 * schedule, evaluation and gate decision, and the base evaluation.
 */
export function loadRunReportData(db: Store, run: RunRow): RunReportData {
  const extra = runExtras(db, run.id)!
  const schedules = candidateSchedules(db, run.id)
  const curves = new Map(runCurves(db, run.id).map((c) => [c.candidateId, c.diagnosis]))
  const steps = new Map<number, ReportStep[]>()
  for (const s of runSteps(db, run.id)) {
    const list = steps.get(s.candidateId) ?? []
    list.push({step: s.step, lr: s.lr, loss: s.loss, valLoss: s.valLoss})
    steps.set(s.candidateId, list)
  }
  return {
    run: {
      id: run.id,
      name: run.name,
      kind: run.kind,
      status: run.status,
      seed: run.seed,
      backend: run.backend,
      backendReason: extra.backendReason,
      baseModel: run.baseModel,
      trainDataset: datasetRef(db, extra.trainDatasetId),
      evalDataset: datasetRef(db, extra.evalDatasetId),
      recommendedLabel: run.recommendedLabel,
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
      config: extra.config,
    },
    base: run.baseEvaluationId === null ? null : {label: getEvaluation(db, run.baseEvaluationId)?.label ?? 'base', metrics: metrics(db, run.baseEvaluationId)},
    candidates: runCandidates(db, run.id).map((c) => ({
      curve: curves.get(c.id)!,
      label: c.label,
      lr: c.lr,
      method: c.method ?? 'full',
      replay: c.replay ?? 0,
      interpolate: c.interpolate ?? 1,
      ema: c.emaDecay,
      status: c.status,
      statusReason: c.statusReason,
      stepsTotal: c.stepsTotal,
      stepsDone: c.stepsDone,
      finalTrainLoss: c.finalTrainLoss,
      finalValLoss: c.finalValLoss,
      verdict: c.verdict,
      steps: steps.get(c.id) ?? [],
      plannedLr: plannedRates(schedules.get(c.id), c.lr, c.stepsTotal),
      metrics: c.evaluationId === null ? [] : metrics(db, c.evaluationId),
      gate: c.gateId === null ? null : readGate(db, c.gateId),
    })),
    generatedAt: new Date().toISOString(),
  }
}

function datasetRef(db: Store, id: number | null): string | null {
  const d = id === null ? undefined : getStoredDataset(db, id)
  return d === undefined ? null : `${d.name}@${d.version}`
}

function metrics(db: Store, evaluationId: number): ReportMetric[] {
  // The store types CIs as numbers, but SQLite holds NULL where a CI could not be computed.
  return cohortMetrics(db, evaluationId).map((m) => ({...m, ciLow: m.ciLow ?? null, ciHigh: m.ciHigh ?? null}))
}

/** The schedule's planned rate at every step; null when the stored spec no longer validates. */
function plannedRates(schedule: string | undefined, lr: number, steps: number): number[] | null {
  if (schedule === undefined) return null
  const parsed = scheduleSpecSchema.safeParse(JSON.parse(schedule))
  if (!parsed.success) return null
  try {
    return scheduleValues(parsed.data satisfies ScheduleSpec, {lr, steps})
  } catch {
    return null
  }
}

/** A candidate's gate decision, from the stored view every renderer shares (gate/stored-report.ts). */
function readGate(db: Store, gateId: number): ReportGate | null {
  const gate = storedGateReport(db, gateId)
  if (gate === undefined) return null
  return {id: gate.gateId, verdict: gate.verdict, confidence: gate.confidence, baselineLabel: gate.baseline.label, results: gate.results, failures: gate.failures}
}
