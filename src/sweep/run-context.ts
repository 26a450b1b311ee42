import type {Dataset} from '../datasets/types.js'
import type {Store} from '../store/db.js'
import type {RunLock} from '../store/run-lock.js'
import type {Progress} from '../util/progress.js'
import type {SweepBaseline} from './baseline.js'
import type {SweepPlan} from './plan.js'

export interface SweepRequest {
  plan?: SweepPlan
  resume?: number
  dbPath: string
  progress: Progress
  /** the backend as the parent process sees it (stored with the run, printed once) */
  backend: {name: string; reason: string}
  /** for --resume: the run's lock, taken by the caller before its slow start (else taken here) */
  lock?: RunLock
}

/** A sweep run being driven by the parent process: its store, plan, eval set, baseline and lock. */
export interface RunContext {
  db: Store
  runId: number
  name: string
  plan: SweepPlan & {steps: number}
  evalSet: Dataset
  baseline: SweepBaseline
  request: SweepRequest
  lock: RunLock
}

/** Candidate statuses that need no more work. */
export const DONE = ['completed', 'diverged', 'pruned', 'failed']
