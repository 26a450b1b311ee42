/**
 * The model's own state as the controller sees it (Xu et al. 2019: variance of the predictions and of
 * their change, mean and variance of the final layer's weights). The trainer side (src/model/
 * prediction-stats.ts) reads it; this layer only normalises it. Structural, so the schedule layer
 * stays free of tfjs.
 */
export interface ModelView {
  /** the probability of the true next token at each counted position of a fixed batch */
  targetProbs: ArrayLike<number>
  /** mean and variance of the output layer's weights */
  headMean: number
  headVar: number
}

/** Names of the model features, in the order `modelFeatures` returns them. */
export const MODEL_FEATURES = ['log(predVar/start)', 'predChangeVar/predVarStart', '(headMean-start)/headSdStart', 'log(headVar/start)'] as const

const clip = (x: number) => (Number.isFinite(x) ? Math.max(-5, Math.min(5, x)) : 0)

function variance(xs: ArrayLike<number>, f: (i: number) => number = (i) => xs[i]): number {
  const n = xs.length
  if (n === 0) return Number.NaN
  let sum = 0
  for (let i = 0; i < n; i++) sum += f(i)
  const mean = sum / n
  let sq = 0
  for (let i = 0; i < n; i++) sq += (f(i) - mean) ** 2
  return sq / n
}

/**
 * The model features at a decision, each relative to the run's start so a controller trained on
 * one task transfers to another (clipped to [−5, 5], 0 where undefined):
 * log(var(p)/var(p₀)); var(p − p_prev)/var(p₀) (p_prev: the previous decision's, or the start's);
 * (mean(W) − mean(W₀))/sd(W₀); log(var(W)/var(W₀)). p and p_prev must come from the same batch.
 *
 * @example modelFeatures(now, previous, start) // [0.12, 0.003, 0.01, 0.002]
 */
export function modelFeatures(now: ModelView, previous: ModelView, start: ModelView): number[] {
  const v0 = variance(start.targetProbs)
  const change = now.targetProbs.length === previous.targetProbs.length ? variance(now.targetProbs, (i) => now.targetProbs[i] - previous.targetProbs[i]) : Number.NaN
  return [
    clip(Math.log(variance(now.targetProbs) / v0)),
    clip(change / v0),
    clip((now.headMean - start.headMean) / Math.sqrt(start.headVar)),
    clip(Math.log(now.headVar / start.headVar)),
  ]
}
