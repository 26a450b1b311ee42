import {evaluateModelOnDataset} from '../eval/evaluate-model.js'
import {loadEvaluators} from '../eval/load-evaluators.js'
import type {Store} from '../store/db.js'
import {testHold} from '../process/test-hold.js'
import type {EvaluationTarget} from './evaluation-target.js'

export interface ModelEvaluation extends EvaluationTarget {
  /** the compute backend the worker initialised (its name is stored) */
  backend: string
  onProgress?: (fraction: number, phase: string) => void
}

/**
 * Scores a model folder of the sweep (the base, a candidate, an interpolation) on the eval dataset
 * through the one evaluation path (eval/evaluate-model.ts) with the plan's seed and evaluators;
 * returns the evaluation id.
 */
export async function evaluateModel(db: Store, e: ModelEvaluation): Promise<number> {
  const {plan} = e
  const evaluators = await loadEvaluators({specs: plan.evaluation.evaluators, configFile: plan.configFile, cwd: plan.cwd})
  const stored = await evaluateModelOnDataset(db, {
    modelDir: e.modelDir,
    dataset: e.dataset,
    evaluators,
    seed: plan.seed,
    generation: plan.evaluation.generation,
    resamples: plan.evaluation.resamples,
    confidence: plan.evaluation.confidence,
    backend: e.backend,
    label: e.label,
    runId: e.runId,
    ...(e.candidateId === undefined ? {} : {candidateId: e.candidateId}),
    onProgress: (f, phase) => e.onProgress?.(phase === 'generate' ? f * 0.8 : 0.8 + f * 0.2, phase === 'generate' ? 'generating' : 'scoring'),
    beforeStore: () => testHold('before-store'),
  })
  return stored.evaluationId
}
