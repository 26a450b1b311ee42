import {type Suggestion, SUGGESTION_NAMES, type Suggestions} from './suggest.js'

/** Positions of 1 and 3 within a decade: learning rates people type (1e-4, 3e-4, 1e-3, …). */
const GRID = [0, Math.log10(3)]

/** Index of a learning rate on the 1-3 grid (2 points per decade), rounded to the nearest in log space. */
function gridIndex(lr: number): number {
  const log = Math.log10(lr)
  const decade = Math.floor(log)
  const positions = [...GRID.map((g) => decade + g), decade + 1]
  let best = 0
  for (let i = 1; i < positions.length; i++) if (Math.abs(positions[i] - log) < Math.abs(positions[best] - log)) best = i
  return 2 * decade + best
}

/** The learning rate at a grid index, as a clean number (3e-5, not 2.9999999999999997e-5). */
function gridValue(index: number): number {
  const decade = Math.floor(index / 2)
  return Number(`${index - 2 * decade === 0 ? 1 : 3}e${decade}`)
}

/** The suggestion a sweep list is built around: valley, else steep, else minimum. */
export function anchorSuggestion(suggestions: Suggestions): {name: keyof Suggestions; suggestion: Suggestion} | null {
  for (const name of SUGGESTION_NAMES) {
    const suggestion = suggestions[name]
    if (suggestion !== null) return {name, suggestion}
  }
  return null
}

/**
 * A sweep list of `count` learning rates on the 1-3 grid, from the anchor (snapped to the grid)
 * downwards, ascending. Downwards only: the range test sees only the target loss, and a fine-tune's
 * forgetting grows with the learning rate, so the rate that ships is at or below the fastest one.
 *
 * @example sweepCandidates(8e-4, 4) // [3e-5, 1e-4, 3e-4, 1e-3]
 */
export function sweepCandidates(anchorLr: number, count: number): number[] {
  const top = gridIndex(anchorLr)
  return Array.from({length: count}, (_, i) => gridValue(top - count + 1 + i))
}
