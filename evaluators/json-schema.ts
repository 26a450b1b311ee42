import {createRequire} from 'node:module'

import type {Ajv} from 'ajv'
import type {Ajv2019} from 'ajv/dist/2019.js'
import type {Ajv2020} from 'ajv/dist/2020.js'

import {InputError} from '../src/errors.js'

/** A compiled schema: true when the data satisfies it; `errors` holds why not. */
export type SchemaValidator = ((data: unknown) => boolean) & {errors?: {instancePath: string; message?: string}[] | null}

/** The drafts json-valid accepts, by their `$schema` URI (with or without "#", http or https). */
// Ajv is required on first use: loading it costs ~0.1 s, which every evaluation without a JSON
// evaluator would otherwise pay at start-up.
const load = createRequire(import.meta.url)
const DRAFTS: Record<string, {name: string; make: () => Ajv | Ajv2019 | Ajv2020}> = {
  'json-schema.org/draft/2020-12/schema': {name: '2020-12', make: () => new (load('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020(OPTIONS)},
  'json-schema.org/draft/2019-09/schema': {name: '2019-09', make: () => new (load('ajv/dist/2019.js') as typeof import('ajv/dist/2019.js')).Ajv2019(OPTIONS)},
  'json-schema.org/draft-07/schema': {name: 'draft-07', make: () => new (load('ajv') as typeof import('ajv')).Ajv(OPTIONS)},
}

// strictSchema: an unknown keyword ("minimun", a keyword of another draft) is an error, not ignored.
// strictTypes/strictTuples only warn about legal schemas, and would print to the console: off.
const OPTIONS = {allErrors: false, strictSchema: true, strictTypes: false, strictTuples: false} as const

/**
 * Compiles a JSON schema with the draft its `$schema` names: 2020-12, 2019-09 or draft-07 (also when
 * `$schema` is absent). Another `$schema`, an unknown keyword or a schema that does not compile is an
 * InputError naming `where`.
 *
 * @example compileJsonSchema({$schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object'}, 'schema.json')
 */
export function compileJsonSchema(schema: Record<string, unknown>, where: string): SchemaValidator {
  const uri = schema.$schema
  let draft = DRAFTS['json-schema.org/draft-07/schema']
  if (uri !== undefined) {
    const key = typeof uri === 'string' ? uri.replace(/^https?:\/\//, '').replace(/#$/, '') : ''
    const found = DRAFTS[key]
    if (found === undefined) {
      throw new InputError(
        `${where}: "$schema" ${JSON.stringify(uri)} is not a draft lrgate supports; use https://json-schema.org/draft/2020-12/schema, https://json-schema.org/draft/2019-09/schema or http://json-schema.org/draft-07/schema#.`,
      )
    }
    draft = found
  }
  try {
    return draft.make().compile(schema) as SchemaValidator
  } catch (error) {
    throw new InputError(`${where}: the JSON schema (${draft.name}) does not compile (${(error as Error).message}); fix the schema.`)
  }
}
