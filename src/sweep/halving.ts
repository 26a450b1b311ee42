/**
 * Early stopping of hopeless candidates: synchronous successive halving (Optuna's
 * SuccessiveHalvingPruner, run in lock step so a seeded sweep decides the same way every time).
 * Rungs sit at minSteps·η^k steps. At each rung a candidate is pruned when
 *   1. its out-of-domain probe perplexity, projected to the end of its schedule, rises past the
 *      gate's limit — it would fail the gate (forgetting is taken to grow with the learning-rate
 *      mass spent, Σ lr, so the rise so far is divided by the share of that mass already spent); or
 *   2. among the rest, its target validation loss is not in the best ⌈n/η⌉ (n: all candidates
 *      at the rung, so those pruned for forgetting count towards the cut).
 * Ranking by target loss alone would keep exactly the hot learning rates the gate rejects.
 */
export interface RungResult {
  label: string
  valLoss: number
  /** relative change of the probe perplexity against the base model so far (0.05 = +5%) */
  probeChange: number | null
  /** the same, projected to the end of the schedule */
  projectedChange?: number | null
}

export interface RungDecision {
  label: string
  keep: boolean
  reason: string
}

/** The share of a schedule's learning-rate mass Σ lr spent in its first `step` steps. */
export function lrMassSpent(lrAt: (step: number) => number, step: number, steps: number): number {
  let spent = 0, total = 0
  for (let t = 0; t < steps; t++) {
    total += lrAt(t)
    if (t < step) spent += lrAt(t)
  }
  return total > 0 ? spent / total : 1
}

/** Rung steps for a run of `steps`: minSteps·η^k, strictly inside the run. */
export function rungSteps(steps: number, minSteps: number, eta: number): number[] {
  const rungs: number[] = []
  for (let r = minSteps; r < steps; r = Math.round(r * eta)) rungs.push(r)
  return rungs
}

export function decideRung(results: readonly RungResult[], eta: number, maxProbeRise: number | null): RungDecision[] {
  const projected = (r: RungResult) => r.projectedChange ?? r.probeChange
  const forgetting = (r: RungResult) => maxProbeRise !== null && projected(r) !== null && projected(r)! > maxProbeRise
  const viable = results.filter((r) => !forgetting(r) && Number.isFinite(r.valLoss))
  // The rung keeps ceil(n/eta) of all n; candidates pruned for forgetting count towards the cut.
  const keep = Math.max(1, Math.ceil(results.length / eta))
  // Ties break by label order of the input, so decisions never depend on timing.
  const ranked = [...viable].sort((a, b) => a.valLoss - b.valLoss || results.indexOf(a) - results.indexOf(b))
  const kept = new Set(ranked.slice(0, keep).map((r) => r.label))
  return results.map((r) => {
    if (forgetting(r)) {
      const now = r.projectedChange != null && r.projectedChange !== r.probeChange ? ` (${pct(r.probeChange!)} so far)` : ''
      return {label: r.label, keep: false, reason: `out-of-domain probe perplexity heads for ${pct(projected(r)!)}${now}, beyond the gate's ${pct(maxProbeRise!)}`}
    }
    if (!Number.isFinite(r.valLoss)) return {label: r.label, keep: false, reason: `validation loss ${r.valLoss}`}
    const rank = ranked.findIndex((x) => x.label === r.label) + 1
    return kept.has(r.label)
      ? {label: r.label, keep: true, reason: `validation loss ${r.valLoss.toFixed(4)} ranks ${rank} of ${viable.length}`}
      : {label: r.label, keep: false, reason: `validation loss ${r.valLoss.toFixed(4)} ranks ${rank} of ${viable.length}, outside the best ${keep}`}
  })
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`
