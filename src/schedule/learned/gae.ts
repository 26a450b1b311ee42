/**
 * Generalised advantage estimation (Schulman et al. 2016): with δ_t = r_t + γ·V_{t+1}·(1 − done_t) − V_t,
 * A_t = δ_t + γλ·(1 − done_t)·A_{t+1}, and the critic's target R_t = A_t + V_t. One episode per call;
 * `lastValue` is V after the final decision (0 when the episode ended there).
 *
 * @example gae([1, 1], [0.5, 0.5], 0, 0.9, 0.8).advantages // [0.95 + 0.72·0.5, 0.5] = [1.31, 0.5]
 */
export function gae(rewards: readonly number[], values: readonly number[], lastValue: number, gamma: number, lambda: number): {advantages: number[]; returns: number[]} {
  const n = rewards.length
  const advantages = new Array<number>(n)
  let next = 0
  for (let t = n - 1; t >= 0; t--) {
    const nextValue = t === n - 1 ? lastValue : values[t + 1]
    const delta = rewards[t] + gamma * nextValue - values[t]
    next = delta + gamma * lambda * next
    advantages[t] = next
  }
  return {advantages, returns: advantages.map((a, t) => a + values[t])}
}
