import {loadDataset} from '../datasets/load.js'
import {loadModel} from '../model/io.js'
import type {Progress} from '../util/progress.js'
import {finishTraining, insertCandidates, markCandidateRunning, recordSteps} from '../store/candidates.js'
import {recordDatasetUse} from '../store/datasets.js'
import {type Store, writeTransaction} from '../store/db.js'
import {insertRun, setRunStatus} from '../store/runs.js'
import {splitTraining} from '../sweep/training-data.js'
import {buildTokenStream} from '../train/token-stream.js'
import {deriveSeed} from '../util/rng.js'
import {storedRangeTest} from './from-store.js'
import type {FindLrPlan} from './plan.js'
import {rangeTest} from './range-test.js'
import type {RangePoint, Suggestions} from './suggest.js'

/** The label of the range test's single row in `candidates` (its steps are in train_steps). */
export const RANGE_TEST_LABEL = 'range-test'

export interface FindLrOutcome {
  runId: number
  status: 'completed' | 'interrupted'
  /** why the ramp ended before --end-lr (the loss blew up), or null */
  stoppedBecause: string | null
  points: RangePoint[]
  suggestions: Suggestions
  /** the suggestion the sweep list is built around, and the list */
  anchor: keyof Suggestions | null
  candidates: number[]
  seconds: number
}

export interface FindLrOptions {
  db: Store
  plan: FindLrPlan
  backend: {name: string; reason: string}
  progress: Progress
  /** a reason (Ctrl-C) stops the test before its next iteration */
  shouldStop?: () => string | null
}

/**
 * `lrgate find-lr`: the range test on the base model with the fine-tune data (training split), stored
 * as a run of kind find-lr with one candidate whose train_steps are the curve; the suggestions are
 * a pure function of that curve, so they are recomputed from the store rather than kept twice.
 */
export async function runFindLr(options: FindLrOptions): Promise<FindLrOutcome> {
  const {db, plan, progress} = options
  const began = performance.now()
  const trainSet = await loadDataset(plan.train, {cwd: plan.cwd})
  const {model, tokenizer} = loadModel(plan.baseModel)
  const {train: records} = splitTraining(trainSet, plan.seed)

  const {runId, candidateId} = writeTransaction(db, () => {
    const runId = insertRun(db, {
      kind: 'find-lr', name: null, seed: plan.seed, config: plan, backend: options.backend.name, backendReason: options.backend.reason,
      baseModel: plan.baseModel, trainDatasetId: recordDatasetUse(db, trainSet), evalDatasetId: null,
    })
    const schedule = {type: 'exponential-ramp', startLr: plan.startLr, endLr: plan.endLr, steps: plan.iterations}
    const [candidateId] = insertCandidates(db, runId, [{label: RANGE_TEST_LABEL, lr: plan.startLr, schedule, seed: plan.seed, stepsTotal: plan.iterations, artifactDir: null}])
    return {runId, candidateId}
  })
  markCandidateRunning(db, candidateId)

  progress.start('range', 'find-lr', plan.iterations)
  try {
    const result = await rangeTest({
      ...plan,
      model,
      train: buildTokenStream(records, tokenizer),
      seed: deriveSeed(plan.seed, 'batches'),
      onPoint: (point, step) => progress.update('range', step.step + 1, {phase: 'range test', loss: point.smoothed, lr: point.lr, tokensPerS: step.tokensPerS}),
      shouldStop: options.shouldStop,
    })
    const {interrupted} = result
    const last = result.steps.at(-1)
    writeTransaction(db, () => {
      recordSteps(db, candidateId, result.steps.length, result.steps)
      finishTraining(db, candidateId, {
        status: interrupted ? 'pending' : 'completed', reason: interrupted ? 'interrupted' : result.stoppedBecause, stepsDone: result.steps.length,
        finalTrainLoss: last?.loss ?? null, finalValLoss: null,
      })
      setRunStatus(db, runId, interrupted ? 'interrupted' : 'completed')
    })
    progress.finish('range', interrupted ? 'interrupted' : `${result.points.length} iterations${result.stoppedBecause ? ', stopped: the loss blew up' : ''}`)
    // Read back from the store: what "lrgate runs show" prints later is exactly what is printed now.
    const stored = storedRangeTest(db, runId, plan)
    return {runId, status: interrupted ? 'interrupted' : 'completed', stoppedBecause: interrupted ? null : result.stoppedBecause, ...stored, seconds: (performance.now() - began) / 1000}
  } catch (err) {
    setRunStatus(db, runId, 'failed')
    throw err
  } finally {
    progress.stop()
    model.dispose()
  }
}
