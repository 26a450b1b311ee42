import {existsSync} from 'node:fs'

import type {Config} from '../config/schema.js'
import {loadDataset} from '../datasets/load.js'
import {InputError} from '../errors.js'
import type {Store} from '../store/db.js'
import {getStoredDataset} from '../store/datasets.js'
import {type EvaluationRow, getEvaluation, latestEvaluationByLabel} from '../store/evaluations.js'
import {loadEvaluators} from './load-evaluators.js'
import {modelDirOf} from './model-dir-of.js'
import {reevaluationLabel} from './reevaluation-label.js'

export interface ReevaluateOptions {
  config: Config
  configFile: string | null
  cwd: string
  backend: string
  onProgress?: (fraction: number, phase: string) => void
}

/**
 * `row`'s model scored on the dataset `target` was scored on — an earlier re-evaluation when one
 * is stored, else a new one from the model directory the evaluation kept (a promoted model's
 * artifact). Weekly retrains compare on the current data instead of refusing or comparing apples
 * to oranges. Loads the engine, so only when needed.
 */
export async function evaluationOnDatasetOf(db: Store, row: EvaluationRow, target: EvaluationRow, options: ReevaluateOptions): Promise<EvaluationRow> {
  const label = reevaluationLabel(row.label, target.datasetRef)
  const earlier = latestEvaluationByLabel(db, label)
  if (earlier && earlier.datasetHash === target.datasetHash) return earlier
  const modelDir = modelDirOf(db, row, options.cwd)
  if (modelDir === null) {
    throw new InputError(
      `evaluation #${row.id} (${row.label}) was scored on ${row.datasetRef} and #${target.id} on ${target.datasetRef}, and #${row.id} has no model directory to re-evaluate; evaluate both on the same dataset version, or pass --on-shared-records.`,
    )
  }
  const stored = getStoredDataset(db, target.datasetId)
  const dataset = await loadDataset(stored && existsSync(stored.path) ? stored.path : target.datasetRef, {cwd: options.cwd})
  if (dataset.hash !== target.datasetHash) {
    throw new InputError(`${target.datasetRef}: the dataset on disk (hash ${dataset.hash.slice(0, 12)}) is not the one evaluation #${target.id} used (${target.datasetHash.slice(0, 12)}).`)
  }
  const evaluators = await loadEvaluators({specs: options.config.eval.evaluators, configFile: options.configFile, cwd: options.cwd})
  const {evaluateModelOnDataset} = await import('./evaluate-model.js')
  const result = await evaluateModelOnDataset(db, {
    modelDir, dataset, evaluators, label, seed: options.config.seed, generation: options.config.eval.generation,
    resamples: options.config.eval.resamples, confidence: options.config.eval.confidence, backend: options.backend,
    onProgress: options.onProgress,
  })
  return getEvaluation(db, result.evaluationId)!
}
