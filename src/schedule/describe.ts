import type {ResolvedSchedule} from './build.js'

/**
 * One line naming a resolved schedule with the defaults it used, e.g.
 * "cosine, lr 0.001, 300 steps; warmup 30 steps from 0; tMax 270, minLr 0".
 */
export function describeSchedule(schedule: ResolvedSchedule): string {
  const parts = [`${schedule.type}, lr ${schedule.lr}, ${schedule.steps} steps`]
  if (schedule.warmup.steps > 0) parts.push(`warmup ${schedule.warmup.steps} steps from ${schedule.warmup.startLr}`)
  const params = Object.entries(schedule.params).map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(',') : String(value)}`)
  if (params.length > 0) parts.push(params.join(', '))
  return parts.join('; ')
}

/** A rate as people type it: shortest exponent form, at most 6 significant digits ("3e-5", "2.5e-4"). */
export function compactLr(lr: number): string {
  return Number(lr.toPrecision(6)).toExponential().replace('e+', 'e')
}

/** A rate as the table shows it: 5 significant digits, exponent form ("9.9901e-4"). */
export function formatLr(lr: number): string {
  return lr === 0 ? '0' : lr.toExponential(4)
}

/**
 * For a schedule decided during training (plateau, learned), the sentence `lrgate schedule` prints:
 * the rates shown are the plan before any decision; a run's applied rates are stored per step.
 * Null for the closed-form types.
 */
export function decidedDuringTraining(type: string): string | null {
  if (type !== 'plateau' && type !== 'learned') return null
  const who = type === 'plateau' ? 'the validation loss (reduce-on-plateau)' : 'the controller, from what training observes'
  return `A ${type} schedule is decided during training by ${who}: the rates below are the plan before any decision. The rate a run applied is stored per step: lrgate schedule --run <run> [--candidate LABEL] shows it (or lrgate report <run>, the lr chart).`
}
