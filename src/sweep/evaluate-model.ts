import type {Dataset} from '../datasets/types.js'
import {loadEvaluators} from '../eval/load-evaluators.js'
import {outputsOf} from '../eval/model-outputs.js'
import {evaluateAndStore} from '../eval/store-evaluation.js'
import {generate} from '../model/generate.js'
import type {Gpt} from '../model/gpt.js'
import {recordText} from '../model/record-text.js'
import {scoreRecords} from '../model/score.js'
import type {CharTokenizer} from '../model/tokenizer.js'
import type {Db} from '../store/db.js'
import {testHold} from '../process/test-hold.js'
import {deriveSeed} from '../util/rng.js'
import type {SweepPlan} from './plan.js'

export interface ModelEvaluation {
  model: Gpt
  tokenizer: CharTokenizer
  modelDir: string
  dataset: Dataset
  plan: SweepPlan
  label: string
  runId: number
  candidateId?: number
  backend: string
  onProgress?: (fraction: number, phase: string) => void
}

/** Generates and scores the eval dataset with a loaded model and stores the evaluation; returns its id. */
export async function evaluateModel(db: Db, e: ModelEvaluation): Promise<number> {
  const {plan} = e
  const evaluators = await loadEvaluators({specs: plan.evaluation.evaluators, configFile: plan.configFile, cwd: plan.cwd})
  const generation = {maxTokens: 64, temperature: 0, topK: 0, stop: ['\n'], batchSize: 64, ...plan.evaluation.generation}
  const outputs = outputsOf(e.dataset, {model: e.model, tokenizer: e.tokenizer, generate, scoreRecords, recordText}, {
    generation,
    seed: deriveSeed(plan.seed, 'generate'),
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
    seed: deriveSeed(plan.seed, 'bootstrap'),
    resamples: plan.evaluation.resamples,
    confidence: plan.evaluation.confidence,
  })
  return stored.evaluationId
}
