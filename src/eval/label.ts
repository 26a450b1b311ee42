import {InputError} from '../errors.js'

/**
 * Why a label is reserved (a reference `lrgate check` reads as something else), or null when it is free:
 * `base`, `recommended`, `promoted`, integers (evaluation ids), `run:…` (a run's evaluations) and
 * anything with `@` (lrgate's own labels for re-evaluations on another dataset version, name@version).
 *
 * @example reservedLabelReason('base') // '"base" names the latest sweep's base-model evaluation'
 */
export function reservedLabelReason(label: string): string | null {
  const t = label.trim()
  if (t === '') return 'a label may not be empty'
  if (t === 'base') return '"base" names the latest sweep\'s base-model evaluation in check, promote and gate.baseline'
  if (t === 'recommended') return '"recommended" names the latest sweep\'s recommended candidate in check, promote and gate.baseline'
  if (t === 'promoted') return '"promoted" names the latest promoted evaluation in check and gate.baseline'
  if (/^\d+$/.test(t)) return 'a whole number is read as an evaluation id'
  if (t.startsWith('run:')) return '"run:…" is read as a run\'s evaluation (run:<id>:<label>)'
  if (t.includes('@')) return '"@" is kept for lrgate\'s own labels of re-evaluations on another dataset version (label@name@version)'
  return null
}

/**
 * Refuses a reserved label (InputError, exit 2) with the reason; `shownAs` names where it came from
 * (`--label`, or the default taken from a file name).
 */
export function checkLabel(label: string, shownAs = '--label'): void {
  const reason = reservedLabelReason(label)
  if (reason !== null) throw new InputError(`${shownAs} "${label}" is reserved: ${reason}; choose another label (e.g. "${suggestion(label)}").`)
}

function suggestion(label: string): string {
  const t = label.trim().replace(/^run:/, '').replace(/@/g, '-')
  return t === '' || /^\d+$/.test(t) || ['base', 'recommended', 'promoted'].includes(t) ? `my-${t || 'model'}` : t
}
