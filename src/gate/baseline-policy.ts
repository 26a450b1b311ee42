import {modelDirOf} from '../eval/reevaluate.js'
import {reevaluationLabel} from '../eval/reevaluation-label.js'
import type {Store} from '../store/db.js'
import {type EvaluationRow, latestEvaluationByLabel} from '../store/evaluations.js'

/** What a baseline is compared as, on the dataset a candidate was scored on. */
export type BaselineOnDataset =
  /** the baseline itself, or its earlier re-evaluation, was scored on that dataset */
  | {kind: 'stored'; row: EvaluationRow}
  /** scored on another version; its model folder is kept, so re-score it under `label` */
  | {kind: 'reevaluate'; row: EvaluationRow; modelDir: string; label: string}
  /** scored on another version and no model folder to re-score: the caller refuses */
  | {kind: 'mismatch'; row: EvaluationRow}

/**
 * The one baseline re-scoring policy (`lrgate check` and the sweep's gate.baseline both use it): a
 * baseline scored on another dataset version is never compared across data; its re-evaluation on the
 * target version (label `<label>@<name@version>`) is reused when stored, else made from the model
 * folder the baseline kept, found again when a CI runner restored it elsewhere (modelDirOf). Reads only.
 */
export function baselineOnDataset(store: Store, baseline: EvaluationRow, target: {datasetHash: string; datasetRef: string}): BaselineOnDataset {
  if (baseline.datasetHash === target.datasetHash) return {kind: 'stored', row: baseline}
  const label = reevaluationLabel(baseline.label, target.datasetRef)
  const done = latestEvaluationByLabel(store, label)
  if (done !== undefined && done.datasetHash === target.datasetHash) return {kind: 'stored', row: done}
  const modelDir = modelDirOf(store, baseline)
  if (modelDir === null) return {kind: 'mismatch', row: baseline}
  return {kind: 'reevaluate', row: baseline, modelDir, label}
}
