/**
 * Schedule-free AdamW (Defazio, Yang, Mehta, Mishchenko, Khaled, Cutkosky 2024, "The Road Less
 * Scheduled"; the reference is facebookresearch/schedule_free's AdamWScheduleFree). No decay
 * schedule: a warmup only; the method keeps two sequences per parameter and the gradient is taken
 * at their interpolation:
 *
 *   z_{t+1} = z_t − γ_t · (g_t / (√v_t + ε) + λ·y_t)      (the base Adam-normalised sequence)
 *   x_{t+1} = (1 − c_{t+1}) · x_t + c_{t+1} · z_{t+1}      (the average; evaluate here)
 *   y_{t+1} = (1 − β1) · z_{t+1} + β1 · x_{t+1}            (where the next gradient is taken)
 *
 * with v_t = β2 v_{t−1} + (1 − β2) g_t², γ_t = lr_t·√(1 − β2^t) (lr_t the warmed-up rate), and the
 * averaging weight c_{t+1} = w_t / Σ_{i≤t} w_i with w_t = (max_{i≤t} γ_i)² (the reference's
 * weight_lr_power 2, r 0). The model's parameters hold y while training; x = (y − (1 − β1) z) / β1
 * gives the averaged weights for validation and for the saved model.
 */

/** The method's scalars across steps (stored with a checkpoint). */
export interface ScheduleFreeScalars {
  /** Σ w_i so far */
  weightSum: number
  /** the largest γ so far */
  lrMax: number
}

/** The averaging weight c of this step; updates the scalars. γ is the bias-corrected rate. */
export function averagingWeight(scalars: ScheduleFreeScalars, gamma: number): number {
  scalars.lrMax = Math.max(scalars.lrMax, gamma)
  const weight = scalars.lrMax ** 2
  scalars.weightSum += weight
  return scalars.weightSum > 0 ? weight / scalars.weightSum : 0
}

/**
 * One update of one parameter in place: `y` (the parameter), `z` and `v` (state, z starts as a copy
 * of y and v at 0), gradient `g` times `gradScale` (the clip factor), rate γ, averaging weight c,
 * decoupled weight decay λ applied at y.
 */
export function scheduleFreeUpdate(
  y: Float32Array, z: Float32Array, v: Float32Array, g: Float32Array,
  o: {gamma: number; c: number; beta1: number; beta2: number; eps: number; decay: number; gradScale: number},
): void {
  const {gamma, c, beta1, beta2, eps, decay, gradScale} = o
  for (let i = 0; i < y.length; i++) {
    const gi = g[i] * gradScale
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
    const step = gi / (Math.sqrt(v[i]) + eps) + decay * y[i]
    // x from the current y and z, then the three sequences move in order z, x, y
    const x = (y[i] - (1 - beta1) * z[i]) / beta1
    z[i] -= gamma * step
    const xNext = (1 - c) * x + c * z[i]
    y[i] = (1 - beta1) * z[i] + beta1 * xNext
  }
}

/** The averaged weights x = (y − (1 − β1)·z) / β1, into `out` (the weights to evaluate and save). */
export function averagedWeights(y: Float32Array, z: Float32Array, beta1: number, out: Float32Array = new Float32Array(y.length)): Float32Array {
  for (let i = 0; i < y.length; i++) out[i] = (y[i] - (1 - beta1) * z[i]) / beta1
  return out
}
