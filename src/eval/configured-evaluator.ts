import type {Evaluator} from '../../evaluators/types.js'
import type {EvaluatorDescriptor} from '../store/evaluations.js'

export type {EvaluatorDescriptor} from '../store/evaluations.js'

/** An evaluator ready to score: the instance plus where it applies and how its scores are stored. */
export interface ConfiguredEvaluator {
  evaluator: Evaluator
  descriptor: EvaluatorDescriptor
  appliesToCohort: (cohort: string) => boolean
}
