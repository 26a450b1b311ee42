/**
 * PPO's clipped surrogate objective (Schulman et al. 2017) for one sample, as a loss to minimise:
 *   L = −min(ρ·A, clip(ρ, 1 − ε, 1 + ε)·A),  ρ = exp(logπ_new(a|s) − logπ_old(a|s)),
 * and its derivative with respect to logπ_new: −ρ·A where the unclipped term is the minimum, else 0
 * (the clipped branch is constant in the new policy).
 *
 * @example clippedLoss(Math.log(1.5), 0, 2, 0.2).loss // −min(3, 2.4) = −2.4
 */
export function clippedLoss(logpNew: number, logpOld: number, advantage: number, epsilon: number): {loss: number; dLogp: number; ratio: number; clipped: boolean} {
  const ratio = Math.exp(logpNew - logpOld)
  const unclipped = ratio * advantage
  const clippedRatio = Math.min(Math.max(ratio, 1 - epsilon), 1 + epsilon)
  const clippedTerm = clippedRatio * advantage
  const useUnclipped = unclipped <= clippedTerm
  return {loss: -Math.min(unclipped, clippedTerm), dLogp: useUnclipped ? -unclipped : 0, ratio, clipped: !useUnclipped}
}

/** The critic's loss ½(V − R)² and its derivative V − R. */
export function valueLoss(value: number, target: number): {loss: number; dValue: number} {
  const d = value - target
  return {loss: 0.5 * d * d, dValue: d}
}
