import {InputError} from '../errors.js'

/** Parses a `--confidence` value: a number strictly between 0 and 1 (e.g. 0.95). */
export function parseConfidence(text: string): number {
  const v = Number(text)
  if (!Number.isFinite(v) || v <= 0 || v >= 1) throw new InputError(`--confidence ${text}: give a level between 0 and 1, e.g. 0.95.`)
  return v
}
