import type {Dataset} from '../datasets/types.js'
import type {Progress} from '../util/progress.js'
import {runCandidates, getRun} from '../store/runs-read.js'
import type {Store} from '../store/db.js'
import {outputsNll} from '../store/evaluations.js'
import {decideRungRows, runRungs} from '../store/rungs.js'
import {decideRung, lrMassSpent, type RungResult} from './halving.js'
import {buildSchedule} from '../schedule/index.js'
import type {SweepPlan} from './plan.js'
import {probeLimit, probeRecords} from './probe.js'
import {rungGroup} from './grid.js'

export {rungSteps} from './halving.js'

/** Whether this sweep halves its candidates (sweep.earlyStopping.enabled, `auto` by count). */
export function earlyStoppingOn(plan: SweepPlan): boolean {
  const {enabled, autoFrom} = plan.earlyStopping
  return enabled === 'auto' ? plan.lrs.length >= autoFrom : enabled
}

/**
 * Decides a rung once every live candidate has been measured there: reads the measurements and
 * the base model's NLL on the same probe records (its evaluation), prunes, stores the decisions.
 */
export function decideRungFromStore(db: Store, runId: number, rung: number, plan: SweepPlan & {steps: number}, evalSet: Dataset, progress: Progress): void {
  const candidates = runCandidates(db, runId)
  const alive = candidates.filter((c) => c.parentId === null && !['completed', 'diverged', 'pruned', 'failed'].includes(c.status))
  const rows = runRungs(db, runId).filter((r) => r.step === rung)
  if (alive.length === 0 || alive.some((c) => !rows.some((r) => r.candidateId === c.id)) || rows.every((r) => r.kept !== null)) return
  const baseEvaluationId = getRun(db, runId)!.baseEvaluationId
  const ids = probeRecords(evalSet, plan.earlyStopping.probeRecords, plan.seed).map((r) => r.id)
  let base: {nll: number; tokens: number} | null = null
  if (baseEvaluationId !== null && ids.length > 0) {
    base = outputsNll(db, baseEvaluationId, ids)
  }
  const live = rows.filter((r) => alive.some((c) => c.id === r.candidateId))
  // Every candidate runs the same schedule shape over the same steps: one spent share for all.
  const spent = lrMassSpent(buildSchedule(plan.schedule, {lr: 1, steps: plan.steps}), rung, plan.steps)
  const results: RungResult[] = live.map((r) => {
    const change = base && base.tokens > 0 && r.probeNll !== null && r.probeTokens ? Math.exp(r.probeNll / r.probeTokens - base.nll / base.tokens) - 1 : null
    return {label: r.label, valLoss: r.valLoss, probeChange: change, projectedChange: change === null ? null : change / Math.max(spent, 1e-6)}
  })
  // Halving ranks within each (method, replay) group: LoRA and replay learn the target slower and
  // would otherwise be pruned first, before their forgetting could be compared.
  const groupOf = new Map(candidates.map((c) => [c.label, rungGroup(c.method, c.lora, c.replay)]))
  const groups = new Map<string, RungResult[]>()
  for (const r of results) groups.set(groupOf.get(r.label)!, [...(groups.get(groupOf.get(r.label)!) ?? []), r])
  const limit = probeLimit(plan.gate.rules, evalSet)
  const decisions = [...groups.values()].flatMap((group) => decideRung(group, plan.earlyStopping.eta, limit))
  decideRungRows(db, rung, decisions.map((d) => ({candidateId: live.find((r) => r.label === d.label)!.candidateId, keep: d.keep, reason: d.reason})))
  const kept = decisions.filter((d) => d.keep).map((d) => d.label)
  progress.log(`rung at step ${rung}: continuing ${kept.join(', ')}; pruned ${decisions.filter((d) => !d.keep).map((d) => `${d.label} (${d.reason})`).join('; ') || 'none'}`)
}
