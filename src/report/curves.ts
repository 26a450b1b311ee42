import {inert} from '../util/inert.js'
import {type CandidateCurve, diagnoseCandidates} from '../schedule/diagnosis.js'
import {runSteps} from '../store/candidates.js'
import type {Store} from '../store/db.js'
import {runCandidates} from '../store/runs-read.js'

export type {CandidateCurve}

/** Diagnoses the stored curve of every candidate of a run (src/schedule/diagnosis.ts). */
export function runCurves(db: Store, runId: number): CandidateCurve[] {
  return diagnoseCandidates(runCandidates(db, runId), runSteps(db, runId))
}

/** One line per candidate whose curve is not healthy: "label: plateaued early — reason". */
export function curveLines(curves: readonly CandidateCurve[]): string[] {
  const notable = curves.filter((c) => c.diagnosis.kind !== 'healthy' && c.diagnosis.kind !== 'no-curve')
  return notable.map((c) => `${c.label}: ${c.diagnosis.label} — ${c.diagnosis.reason}`)
}

/** `runs show`'s block: every candidate's curve diagnosis with its reason, one line each. */
export function curveTable(curves: readonly CandidateCurve[]): string {
  if (curves.length === 0) return 'Curves: no candidates.'
  return ['Curves (rules: docs/diagnosis.md):', ...curves.map((c) => `  ${inert(c.label)}: ${c.diagnosis.label} — ${c.diagnosis.reason}`)].join('\n')
}
