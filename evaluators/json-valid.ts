import {compileJsonSchema, type SchemaValidator} from './json-schema.js'
import type {EvaluatorFactory} from './types.js'

/**
 * `json-valid`: 1 when the output parses as JSON (and satisfies `schema` when given, in the draft its
 * `$schema` names: 2020-12, 2019-09 or draft-07; unknown keywords are an error), else 0.
 * A record fails on 0 unless the config sets another threshold.
 */
export const jsonValid: EvaluatorFactory = (options) => {
  const validate: SchemaValidator | undefined = options.schema === undefined ? undefined : compileJsonSchema(options.schema, 'evaluator "json-valid"')
  return {
    name: 'json-valid',
    description: validate === undefined ? 'output is valid JSON' : 'output is JSON valid against the schema',
    // Version 1 still: drafts by $schema and refused unknown keywords change which schemas compile,
    // not the score of any schema that compiled before.
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
