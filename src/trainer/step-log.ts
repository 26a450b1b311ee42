import {z} from 'zod'

/** One optimizer step as an external trainer reports it (0-based `step`, nats, the lr applied). */
export interface TrainerStep {
  step: number
  loss: number
  lr: number | null
  gradNorm: number | null
  valLoss: number | null
}

// Python's json.dumps writes NaN, Infinity and -Infinity: read them as the numbers they mean, so a
// diverging loss is seen as one instead of being taken for a junk line.
const number = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform((s) => Number(s))])

/** A step line: a JSON object with numeric `step` and `loss`; `lr`, `grad_norm`, `val_loss` optional. */
export const stepLineSchema = z
  .object({
    step: z.number().int().nonnegative(),
    loss: number,
    lr: number.nullish(),
    grad_norm: number.nullish(),
    val_loss: number.nullish(),
  })
  .passthrough()

const NON_FINITE = /(?<=[:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g

/**
 * JSON.parse that also reads Python's bare NaN / Infinity / -Infinity (as the strings "NaN", …;
 * see `asNumber`). Throws as JSON.parse does on anything else.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error
    return JSON.parse(text.replace(NON_FINITE, '"$1"'))
  }
}

/** A number, or one of Python's non-finite spellings as parsePythonJson leaves them; else null. */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return value
  return value === 'NaN' || value === 'Infinity' || value === '-Infinity' ? Number(value) : null
}

/**
 * Reads one stdout line of a trainer: the step it reports, or null for any other line (log text,
 * warnings, a JSON object without numeric `step` and `loss`), which goes to trainer.log instead.
 *
 * @example parseStepLine('{"step": 3, "loss": 2.1, "lr": 0.0001}') // {step: 3, loss: 2.1, lr: 0.0001, gradNorm: null, valLoss: null}
 */
export function parseStepLine(line: string): TrainerStep | null {
  const text = line.trim()
  if (!text.startsWith('{') || !text.endsWith('}')) return null
  let value: unknown
  try {
    value = parsePythonJson(text)
  } catch {
    return null
  }
  const parsed = stepLineSchema.safeParse(value)
  if (!parsed.success) return null
  const {step, loss, lr, grad_norm: gradNorm, val_loss: valLoss} = parsed.data
  return {step, loss, lr: lr ?? null, gradNorm: gradNorm ?? null, valLoss: valLoss ?? null}
}
