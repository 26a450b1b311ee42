import {InputError} from '../src/errors.js'
import type {EvaluatorFactory} from './types.js'

/**
 * `regex`: 1 when the output matches `pattern` (with `flags`), else 0.
 * A record fails on 0 unless the config sets another threshold.
 */
export const regex: EvaluatorFactory = (options) => {
  if (options.pattern === undefined) throw new InputError('evaluator "regex" needs a "pattern"; add one to its config entry.')
  let re: RegExp
  try {
    // A global or sticky regex keeps state between test() calls; scoring must not depend on order.
    re = new RegExp(options.pattern, (options.flags ?? '').replace(/[gy]/g, ''))
  } catch (error) {
    throw new InputError(`evaluator "regex": pattern ${JSON.stringify(options.pattern)} is not a valid regular expression (${(error as Error).message}).`)
  }
  return {
    name: 'regex',
    description: `output matches /${options.pattern}/${options.flags ?? ''}`,
    needs: ['output'],
    direction: 'higher',
    threshold: options.threshold ?? 1,
    aggregation: 'mean',
    score: (record) => (re.test(record.output ?? '') ? 1 : 0),
  }
}
