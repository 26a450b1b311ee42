import {InputError} from '../errors.js'

/** A flag that must be a positive number (or integer); anything else is an InputError naming it. */
export function positiveNumber(flag: string, text: string, integer: boolean): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new InputError(`--${flag} must be a positive ${integer ? 'integer' : 'number'} (got "${text}").`)
  }
  return n
}

/** `--seed`: a whole number ≥ 0. */
export function seedFlag(text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isInteger(n) || n < 0) throw new InputError(`--seed must be a whole number ≥ 0 (got "${text}").`)
  return n
}
