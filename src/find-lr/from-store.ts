import {runSteps} from '../store/candidates.js'
import type {Store} from '../store/db.js'
import {anchorSuggestion, sweepCandidates} from './candidates.js'
import type {FindLrPlan} from './plan.js'
import {smoothLosses} from './smoothing.js'
import {type RangePoint, type Suggestions, suggestLrs} from './suggest.js'

export interface StoredRangeTest {
  points: RangePoint[]
  suggestions: Suggestions
  anchor: keyof Suggestions | null
  candidates: number[]
}

/** A find-lr run's curve from train_steps, and the suggestions it gives (the same as when it ran). */
export function storedRangeTest(db: Store, runId: number, plan: Pick<FindLrPlan, 'count'>): StoredRangeTest {
  const steps = runSteps(db, runId)
  const smoothed = smoothLosses(steps.map((s) => s.loss))
  const points = steps.map((s, i) => ({lr: s.lr, loss: s.loss, smoothed: smoothed[i]}))
  const suggestions = suggestLrs(points)
  const anchor = anchorSuggestion(suggestions)
  return {points, suggestions, anchor: anchor?.name ?? null, candidates: anchor === null ? [] : sweepCandidates(anchor.suggestion.lr, plan.count)}
}
