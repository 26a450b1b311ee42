import type {ProgressFields, ProgressUnit} from '../util/progress.js'
import type {LoraSpec} from '../model/lora.js'
import type {SweepPlan} from './plan.js'

/**
 * Work for one worker process: evaluate a model that exists, or train and evaluate a candidate.
 * `backend` is the one the sweep resolved: a worker that cannot load it fails loudly instead of
 * quietly training on a slower one.
 */
export type SweepJob =
  | {kind: 'evaluate'; key: string; label: string; runId: number; dbPath: string; plan: SweepPlan; modelDir: string; threads: number; backend: string; role: 'base' | 'baseline'}
  | {kind: 'candidate'; key: string; label: string; runId: number; candidateId: number; lr: number; dbPath: string; plan: SweepPlan; runDir: string; threads: number; backend: string; stopAt: number | null; recipe?: CandidateJobRecipe}

/** How a trained candidate is made (the remedy grid), and the interpolated candidates it owes. */
export interface CandidateJobRecipe {
  /** the candidate's own seed: batches, replay draws and LoRA's initialisation */
  seed: number
  lora: LoraSpec | null
  adapterDir: string | null
  replay: number
  /** already trained and evaluated: only interpolations are left */
  evaluated: boolean
  interpolations: Array<{candidateId: number; key: string; label: string; interpolate: number; modelDir: string}>
  /** sweep.ema alongside: the `+ema` candidate this fine-tune's weight average is saved to and evaluated as (null: none or done) */
  ema?: {candidateId: number; key: string; label: string; modelDir: string; adapterDir: string | null} | null
}

/** What a worker tells the sweep. */
export type WorkerMessage =
  | {type: 'backend'; name: string; reason: string}
  | {type: 'start'; key: string; label: string; total: number; unit?: ProgressUnit}
  | {type: 'progress'; key: string; value: number; fields: ProgressFields}
  | {type: 'log'; line: string}
  | {type: 'done'; key: string; status: string; evaluationId: number | null; message: string}
  | {type: 'failed'; key: string; message: string; input: boolean; storage?: boolean}

export type Send = (message: WorkerMessage) => void
