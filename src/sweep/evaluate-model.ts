import {loadEvaluators} from '../eval/load-evaluators.js'
import {outputsOf} from '../eval/model-outputs.js'
import {evaluationSettings} from '../eval/evaluation-settings.js'
import {evaluateAndStore} from '../eval/store-evaluation.js'
import {generate} from '../model/generate.js'
import type {Gpt} from '../model/gpt.js'
import {recordText} from '../model/record-text.js'
import {scoreRecords} from '../model/score.js'
import type {CharTokenizer} from '../model/tokenizer.js'
import type {Store} from '../store/db.js'
import {testHold} from '../process/test-hold.js'
import type {EvaluationTarget} from './evaluation-target.js'

export interface ModelEvaluation extends EvaluationTarget {
  model: Gpt
  tokenizer: CharTokenizer
  backend: string
  onProgress?: (fraction: number, phase: string) => void
}

/** Generates and scores the eval dataset with a loaded model and stores the evaluation; returns its id. */
export async function evaluateModel(db: Store, e: ModelEvaluation): Promise<number> {
  const {plan} = e
  const evaluators = await loadEvaluators({specs: plan.evaluation.evaluators, configFile: plan.configFile, cwd: plan.cwd})
  const settings = evaluationSettings(plan.seed, plan.evaluation.generation)
  const outputs = outputsOf(e.dataset, {model: e.model, tokenizer: e.tokenizer, generate, scoreRecords, recordText}, {
    generation: settings.generation,
    seed: settings.generationSeed,
    onProgress: (f, phase) => e.onProgress?.(phase === 'generate' ? f * 0.8 : 0.8 + f * 0.2, phase === 'generate' ? 'generating' : 'scoring'),
  })
  testHold('before-store')
  const stored = await evaluateAndStore(db, {
    dataset: e.dataset,
    outputs: new Map(outputs.map((o) => [o.id, o])),
    evaluators,
    label: e.label,
    source: 'model',
    modelDir: e.modelDir,
    runId: e.runId,
    ...(e.candidateId === undefined ? {} : {candidateId: e.candidateId}),
    backend: e.backend,
    seed: settings.seed,
    resamples: plan.evaluation.resamples,
    confidence: plan.evaluation.confidence,
  })
  return stored.evaluationId
}
