import type {Aggregation, Direction, Evaluator} from '../../evaluators/types.js'

/**
 * What an evaluation stores about each evaluator it ran (JSON in evaluations.evaluators), so the
 * gate can aggregate and compare the metric later without loading any evaluator code.
 */
export interface EvaluatorDescriptor {
  /** The metric its scores are stored under. */
  metric: string
  /** The built-in's name, or the module's own `name`. */
  name: string
  source: 'builtin' | 'module'
  /** Absolute path of a user module. */
  path?: string
  direction: Direction
  threshold?: number
  aggregation: Aggregation
  cohorts?: string
  description?: string
  /** The evaluator's scoring-rule version (see Evaluator.version); absent in evaluations stored before versions existed, which read as "1". */
  version?: string
}

/** An evaluator ready to score: the instance plus where it applies and how its scores are stored. */
export interface ConfiguredEvaluator {
  evaluator: Evaluator
  descriptor: EvaluatorDescriptor
  appliesToCohort: (cohort: string) => boolean
}
