import type {Dataset} from '../datasets/types.js'
import type {SweepPlan} from './plan.js'

/** What every sweep evaluation route (own loader, outputs command, served model) is given: one model on the eval set. */
export interface EvaluationTarget {
  modelDir: string
  dataset: Dataset
  plan: SweepPlan
  label: string
  runId: number
  candidateId?: number
}
