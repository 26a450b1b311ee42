import {existsSync} from 'node:fs'
import {pathToFileURL} from 'node:url'
import {z} from 'zod'

import {AGGREGATIONS, type Evaluator, type EvaluatorOptions, RECORD_FIELDS} from '../../evaluators/types.js'
import {FAIL_RATE_METRIC} from '../../evaluators/names.js'
import {formatPath, InputError} from '../errors.js'

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', {message: 'expected a function'})

/** The shape a user's evaluator module must export (see evaluators/types.ts `Evaluator`). */
export const evaluatorShapeSchema = z.object({
  name: z
    .string()
    .min(1)
    .refine((n) => n !== FAIL_RATE_METRIC, {message: `"${FAIL_RATE_METRIC}" is reserved`}),
  description: z.string().optional(),
  version: z.string().min(1).optional(),
  needs: z.array(z.enum(RECORD_FIELDS)),
  direction: z.enum(['higher', 'lower']),
  threshold: z.number().finite().optional(),
  aggregation: z.enum(AGGREGATIONS).optional(),
  score: fn,
})

/**
 * Loads a user's evaluator module from an absolute path the user named. The module exports an
 * evaluator object (default export, or a named `evaluator`), or a function that builds one from
 * the config entry's options. Anything else is an InputError naming the module.
 *
 * @example await loadUserEvaluator('/repo/evals/length.mjs', {})
 */
export async function loadUserEvaluator(path: string, options: EvaluatorOptions, shownAs = path): Promise<Evaluator> {
  if (!existsSync(path)) throw new InputError(`${shownAs}: evaluator module not found; check the path.`)
  let mod: Record<string, unknown>
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  } catch (error) {
    throw new InputError(`${shownAs}: cannot load the evaluator module (${(error as Error).message.split('\n')[0]}).`, {cause: error})
  }
  let exported = mod.default ?? mod.evaluator
  if (typeof exported === 'function') {
    try {
      exported = await (exported as (o: EvaluatorOptions) => unknown)(options)
    } catch (error) {
      throw new InputError(`${shownAs}: the evaluator factory threw (${(error as Error).message}).`, {cause: error})
    }
  }
  const parsed = evaluatorShapeSchema.safeParse(exported)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue.path.length > 0 ? ` field "${formatPath(issue.path)}": ${issue.message}` : ` ${issue.message}`
    throw new InputError(
      `${shownAs}: does not export an lrgate evaluator (${exported === undefined ? 'no default or "evaluator" export' : field.trim()}); export {name, needs, direction, score} as described in docs/evaluation.md.`,
    )
  }
  return exported as Evaluator
}
