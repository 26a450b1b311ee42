import {Ajv} from 'ajv'

import {InputError} from '../src/errors.js'
import type {EvaluatorFactory} from './types.js'

/**
 * `json-valid`: 1 when the output parses as JSON (and satisfies `schema` when given), else 0.
 * A record fails on 0 unless the config sets another threshold.
 */
export const jsonValid: EvaluatorFactory = (options) => {
  let validate: ((data: unknown) => boolean) & {errors?: {instancePath: string; message?: string}[] | null} | undefined
  if (options.schema !== undefined) {
    try {
      validate = new Ajv({allErrors: false, strict: false}).compile(options.schema)
    } catch (error) {
      throw new InputError(`evaluator "json-valid": the schema does not compile (${(error as Error).message}); fix the schema.`)
    }
  }
  return {
    name: 'json-valid',
    description: validate === undefined ? 'output is valid JSON' : 'output is JSON valid against the schema',
    needs: ['output'],
    direction: 'higher',
    threshold: options.threshold ?? 1,
    aggregation: 'mean',
    score: (record) => {
      let data: unknown
      try {
        data = JSON.parse(record.output ?? '')
      } catch (error) {
        return {value: 0, reason: `not JSON: ${(error as Error).message}`}
      }
      if (validate === undefined || validate(data)) return {value: 1}
      const first = validate.errors?.[0]
      return {value: 0, reason: `schema: ${first?.instancePath || '/'} ${first?.message ?? 'invalid'}`}
    },
  }
}
