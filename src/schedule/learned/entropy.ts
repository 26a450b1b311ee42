/**
 * The exploration scheduler: the entropy bonus's weight decays linearly from `start` to `end` over
 * the training's updates (explore early, exploit late).
 *
 * @example entropyWeight({start: 0.01, end: 0.001}, 0, 10) // 0.01
 */
export function entropyWeight(o: {start: number; end: number}, update: number, updates: number): number {
  if (updates <= 1) return o.end
  const p = Math.min(1, Math.max(0, update / (updates - 1)))
  return p >= 1 ? o.end : o.start + (o.end - o.start) * p
}
