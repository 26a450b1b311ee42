/** One iteration of the range test: the learning rate applied and the loss it gave. */
export interface RangePoint {
  lr: number
  loss: number
  /** debiased EMA of the losses so far: what the suggestions read */
  smoothed: number
}

/** A suggested learning rate and the point of the curve it comes from. */
export interface Suggestion {
  lr: number
  /** smoothed loss at that point */
  loss: number
  /** index of that point in the range test's points */
  index: number
}

/** The suggestions in order of preference as the sweep list's anchor (fastai's default first). */
export const SUGGESTION_NAMES = ['valley', 'steep', 'minimum'] as const

export interface Suggestions {
  /** the middle of the longest stretch over which the loss keeps falling: fastai's default */
  valley: Suggestion | null
  /** the steepest fall of the loss against log lr */
  steep: Suggestion | null
  /** a tenth of the learning rate at the lowest loss */
  minimum: Suggestion | null
}

/** Points left out of the suggestions: the flat start and the blow-up at the end (as fastai). */
export function suggestionWindow(count: number): {from: number; to: number} {
  const from = Math.floor(count / 10)
  const to = count - 5
  return to - from >= 5 ? {from, to} : {from: 0, to: count}
}

/**
 * The longest strictly decreasing subsequence of `losses` (O(n²), n ≈ 100): its first and last index.
 * Noise makes the loss wiggle; a subsequence, unlike a run, steps over the wiggles.
 */
export function longestDecline(losses: readonly number[]): {first: number; last: number} | null {
  if (losses.length < 2) return null
  const length = losses.map(() => 1)
  const first = losses.map((_, i) => i)
  let best = 0
  for (let i = 1; i < losses.length; i++) {
    for (let j = 0; j < i; j++) {
      if (losses[i] < losses[j] && length[j] + 1 > length[i]) {
        length[i] = length[j] + 1
        first[i] = first[j]
      }
    }
    if (length[i] > length[best]) best = i
  }
  return length[best] < 2 ? null : {first: first[best], last: best}
}

/**
 * Slope of y against x at each point over ±`span` points (one-sided at the ends); span 1 is
 * numpy.gradient's central difference. A wider span keeps batch noise from posing as a steep fall.
 */
export function slopes(x: readonly number[], y: readonly number[], span = 1): number[] {
  const n = y.length
  return y.map((_, i) => {
    const lo = Math.max(0, i - span), hi = Math.min(n - 1, i + span)
    return hi === lo ? 0 : (y[hi] - y[lo]) / (x[hi] - x[lo])
  })
}

/**
 * How far the smoothed loss must fall for the curve to count as having fallen: 1% of the higher
 * point. A loss that only rose (a ramp starting above the usable rates) or stayed flat within noise
 * suggests nothing, not a rate a tenth of its least-bad point.
 */
export const MIN_FALL = 0.01

/**
 * True when the smoothed loss fell inside the suggestion window: its lowest point there is at least
 * MIN_FALL below the highest point before it in the window.
 *
 * Inside the window only, as fastai's `Learner.lr_find` (fastai/callback/schedule.py), which reads
 * every suggestion from `recorder.losses[num_it//10:-5]` and never from the first iterations: there
 * the debiased EMA is one batch or a few, so a lucky low first batch (the shipped example: 1.507,
 * then ~1.70, a fall to 1.576 at lr 5e-3, the blow-up) would stand as a best no real fall beats.
 * Measured from the highest earlier point, so an early plateau or rise in the window hides nothing
 * either; a curve that only rose has its lowest point first, with nothing higher before it.
 */
export function curveFell(points: readonly RangePoint[]): boolean {
  if (points.length < 2) return false
  const {from, to} = suggestionWindow(points.length)
  const losses = points.slice(from, to).map((p) => p.smoothed)
  let lowest = 0
  for (let i = 1; i < losses.length; i++) if (losses[i] < losses[lowest]) lowest = i
  const highestBefore = Math.max(...losses.slice(0, lowest + 1))
  return losses[lowest] < highestBefore - MIN_FALL * Math.abs(highestBefore)
}

/**
 * The three classic suggestions from a range test's smoothed curve, each null when the curve has no
 * such point; all three are null when the curve never fell (see curveFell).
 */
export function suggestLrs(points: readonly RangePoint[]): Suggestions {
  const {from, to} = suggestionWindow(points.length)
  const window = points.slice(from, to)
  const at = (i: number, lr = window[i].lr): Suggestion => ({lr, loss: window[i].smoothed, index: from + i})
  if (window.length < 2 || !curveFell(points)) return {valley: null, steep: null, minimum: null}
  const losses = window.map((p) => p.smoothed)

  const decline = longestDecline(losses)
  const valley = decline === null ? null : at(Math.round((decline.first + decline.last) / 2))

  // ±5% of the points (±4 of fastai's 100): a twentieth of the ramp, about half a decade of lr.
  const slope = slopes(window.map((p) => Math.log10(p.lr)), losses, Math.max(1, Math.floor(window.length / 20)))
  let steepest = 0
  for (let i = 1; i < slope.length; i++) if (slope[i] < slope[steepest]) steepest = i
  const steep = slope[steepest] < 0 ? at(steepest) : null

  let lowest = 0
  for (let i = 1; i < losses.length; i++) if (losses[i] < losses[lowest]) lowest = i
  const minimum = at(lowest, window[lowest].lr / 10)
  return {valley, steep, minimum}
}
