import {dirname, isAbsolute, relative, resolve} from 'node:path'

import {BUILTIN_EVALUATORS} from '../../evaluators/index.js'
import type {EvaluatorOptions} from '../../evaluators/types.js'
import type {EvaluatorSpec} from '../config/eval-schema.js'
import {evaluatorVersion} from './evaluator-version.js'
import {InputError} from '../errors.js'
import {readJsonFile} from '../util/json-input.js'
import {cohortMatcher} from '../datasets/cohort-glob.js'
import type {ConfiguredEvaluator} from './configured-evaluator.js'
import {loadUserEvaluator} from './user-evaluator.js'

export interface EvaluatorSources {
  /** `eval.evaluators` from the config. */
  specs: readonly EvaluatorSpec[]
  /** The config file (paths in it are relative to its folder), or null for defaults. */
  configFile: string | null
  /** `--evaluator` paths, relative to `cwd`. */
  modulePaths?: readonly string[]
  cwd?: string
}

/**
 * Builds the evaluators an evaluation runs: the config's built-ins and modules, then `--evaluator`
 * modules. User code is loaded only from the paths given here. Two evaluators storing the same
 * metric are refused.
 */
export async function loadEvaluators(sources: EvaluatorSources): Promise<ConfiguredEvaluator[]> {
  const cwd = sources.cwd ?? process.cwd()
  const configDir = sources.configFile === null ? cwd : dirname(sources.configFile)
  const where = sources.configFile === null ? 'eval.evaluators' : `${relative(cwd, sources.configFile) || sources.configFile}: eval.evaluators`
  const out: ConfiguredEvaluator[] = []
  for (const [i, spec] of sources.specs.entries()) {
    out.push(await fromSpec(typeof spec === 'string' ? {name: spec} : spec, configDir, `${where}[${i}]`))
  }
  for (const path of sources.modulePaths ?? []) out.push(await fromSpec({path}, cwd, `--evaluator ${path}`))

  const seen = new Map<string, string>()
  for (const e of out) {
    const previous = seen.get(e.descriptor.metric)
    if (previous !== undefined) {
      throw new InputError(
        `two evaluators store scores as "${e.descriptor.metric}" (${previous} and ${e.descriptor.path ?? e.descriptor.name}); give one a "metric" name in the config.`,
      )
    }
    seen.set(e.descriptor.metric, e.descriptor.path ?? e.descriptor.name)
  }
  return out
}

type ObjectSpec = Exclude<EvaluatorSpec, string>

async function fromSpec(spec: ObjectSpec, baseDir: string, where: string): Promise<ConfiguredEvaluator> {
  const options: EvaluatorOptions = {
    threshold: spec.threshold,
    pattern: spec.pattern,
    flags: spec.flags,
    value: spec.value,
    ignoreCase: spec.ignoreCase,
    schema: typeof spec.schema === 'string' ? readSchema(resolve(baseDir, spec.schema), where) : spec.schema,
  }
  let evaluator
  let path: string | undefined
  if (spec.path !== undefined) {
    path = isAbsolute(spec.path) ? spec.path : resolve(baseDir, spec.path)
    evaluator = await loadUserEvaluator(path, options, spec.path)
  } else {
    try {
      evaluator = BUILTIN_EVALUATORS[spec.name!](options)
    } catch (error) {
      if (error instanceof InputError) throw new InputError(`${where}: ${error.message}`)
      throw error
    }
  }
  const threshold = spec.threshold ?? evaluator.threshold
  return {
    evaluator,
    appliesToCohort: spec.cohorts === undefined ? () => true : cohortMatcher(spec.cohorts),
    descriptor: {
      metric: spec.metric ?? evaluator.name,
      name: evaluator.name,
      source: path === undefined ? 'builtin' : 'module',
      ...(path === undefined ? {} : {path}),
      direction: evaluator.direction,
      ...(threshold === undefined ? {} : {threshold}),
      aggregation: evaluator.aggregation ?? 'mean',
      ...(spec.cohorts === undefined ? {} : {cohorts: spec.cohorts}),
      ...(evaluator.description === undefined ? {} : {description: evaluator.description}),
      version: evaluatorVersion(evaluator),
    },
  }
}

function readSchema(file: string, where: string): Record<string, unknown> {
  const raw = readJsonFile(file, `${where}: ${file}`, 'the JSON schema', 'fix the schema file or its path')
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`${where}: ${file} is not a JSON schema object.`)
  return raw as Record<string, unknown>
}
