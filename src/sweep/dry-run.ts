import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {readModelConfig} from '../model/model-files.js'
import {openDbReadOnly} from '../store/db.js'
import {medianTokensPerSecond} from '../store/throughput.js'
import {diskBytes} from './artifacts.js'
import {expandGrid} from './grid.js'
import {planGridOf, type SweepPlan} from './plan.js'
import {arrangeWorkers} from './arrange-workers.js'
import {earlyStoppingOn} from './rung-decision.js'
import {prepareSweep} from './setup.js'

/** One candidate as `sweep --dry-run` lists it. */
export interface DryRunCandidate {
  label: string
  lr: number
  method: 'full' | 'lora'
  rank: number | null
  replay: number
  interpolate: number
  /** optimizer steps it trains (0: an interpolation of its trained parent, evaluated only) */
  steps: number
}

/** What a sweep would do: `lrgate sweep --dry-run`. Nothing is written anywhere. */
export interface DryRun {
  candidates: DryRunCandidate[]
  /** optimizer steps per trained candidate (epochs already turned into steps) */
  steps: number
  trainedCandidates: number
  optimizerSteps: number
  /** the base model plus every candidate */
  evaluations: number
  workers: number
  earlyStopping: boolean
  /** training time from the median tokens/s of earlier sweeps of this base model in the database; null without one */
  estimate: {seconds: number; tokensPerS: number; fromSteps: number; fromRuns: number} | null
  /** why there is no time estimate */
  estimateMissing: string | null
  /** the base model folder's size, what the candidates keep (a model folder each) and the peak while training (plus checkpoints with optimizer state) */
  disk: {baseModel: number; kept: number; peak: number}
}

/**
 * Plans a sweep without running it: validates every input as the sweep would (datasets, model,
 * evaluators, schedule), expands the grid, and estimates time and disk. The database is only read
 * (for throughput of earlier runs), and only if it exists.
 */
export async function dryRunSweep(plan: SweepPlan, dbPath: string): Promise<DryRun> {
  const prepared = await prepareSweep(plan)
  const grid = planGridOf(plan)
  const expanded = expandGrid(grid)
  const candidates = expanded.map((c) => ({
    label: c.label, lr: c.lr, method: c.method.type, rank: c.method.type === 'lora' ? c.method.rank : null, replay: c.replay, interpolate: c.interpolate,
    steps: c.parentIndex === null ? prepared.steps : 0,
  }))
  const trained = candidates.filter((c) => c.steps > 0)
  const {workers} = arrangeWorkers(plan.parallel, trained.length)
  const optimizerSteps = trained.length * prepared.steps

  let estimate: DryRun['estimate'] = null
  let estimateMissing: string | null = null
  const context = modelContext(plan.baseModel)
  if (plan.trainer) estimateMissing = 'an external trainer runs each candidate (its speed is not known to lrgate)'
  else if (context === null) estimateMissing = `${plan.baseModel} has no lrgate config.json to read the context length from`
  else if (!existsSync(dbPath)) estimateMissing = `no database at ${dbPath} with an earlier sweep of this base model to measure its speed`
  else {
    const db = openDbReadOnly(dbPath)
    try {
      const measured = medianTokensPerSecond(db, plan.baseModel)
      if (measured === null) estimateMissing = 'no earlier sweep of this base model in the database to measure its speed'
      else {
        const tokens = optimizerSteps * plan.batchSize * context
        estimate = {seconds: tokens / measured.tokensPerS / workers, tokensPerS: measured.tokensPerS, fromSteps: measured.steps, fromRuns: measured.runs}
      }
    } finally {
      db.close()
    }
  }
  const baseModel = diskBytes(plan.baseModel)
  // A full fine-tune or interpolation keeps a model folder about the base model's size; a LoRA
  // candidate keeps its adapter (counted as a tenth, an upper bound for the ranks lrgate offers);
  // while training, each running candidate also holds a checkpoint: weights + AdamW's two moments.
  const keptOf = (c: DryRunCandidate) => (c.method === 'lora' && c.interpolate === 1 ? baseModel / 10 : baseModel)
  const kept = candidates.reduce((sum, c) => sum + keptOf(c), 0)
  const peak = kept + Math.min(workers, trained.length) * 3 * baseModel
  return {
    candidates, steps: prepared.steps, trainedCandidates: trained.length, optimizerSteps, evaluations: candidates.length + 1, workers,
    earlyStopping: earlyStoppingOn(plan), estimate, estimateMissing, disk: {baseModel, kept: Math.round(kept), peak: Math.round(peak)},
  }
}

function modelContext(dir: string): number | null {
  if (!existsSync(join(dir, 'config.json'))) return null
  try {
    return readModelConfig(dir).contextLength
  } catch {
    return null
  }
}
