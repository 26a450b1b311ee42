import type {ProgressFields} from '../util/progress.js'
import type {SweepPlan} from './plan.js'

/**
 * Work for one worker process: evaluate a model that exists, or train and evaluate a candidate.
 * `backend` is the one the sweep resolved: a worker that cannot load it fails loudly instead of
 * quietly training on a slower one.
 */
export type SweepJob =
  | {kind: 'evaluate'; key: string; label: string; runId: number; dbPath: string; plan: SweepPlan; modelDir: string; threads: number; backend: string; role: 'base' | 'baseline'}
  | {kind: 'candidate'; key: string; label: string; runId: number; candidateId: number; lr: number; dbPath: string; plan: SweepPlan; runDir: string; threads: number; backend: string; stopAt: number | null}

/** What a worker tells the sweep. */
export type WorkerMessage =
  | {type: 'backend'; name: string; reason: string}
  | {type: 'start'; key: string; label: string; total: number}
  | {type: 'progress'; key: string; value: number; fields: ProgressFields}
  | {type: 'log'; line: string}
  | {type: 'done'; key: string; status: string; evaluationId: number | null; message: string}
  | {type: 'failed'; key: string; message: string; input: boolean; storage?: boolean}

export type Send = (message: WorkerMessage) => void
