import {fileURLToPath} from 'node:url'

import {forkSupervised, type Supervised} from '../process/index.js'
import type {SweepJob, WorkerMessage} from './messages.js'

export interface JobOutcome {
  status: string
  evaluationId: number | null
  message: string
  /** the job failed on bad input (exit 2 material) rather than a crash */
  input?: boolean
  /** the job failed on a storage fault (full disk, read-only): the sweep stops, resumable */
  storage?: boolean
}

// Compiled: worker.js beside this file; under tsx (tests, scripts): worker.ts.
const WORKER = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url))

interface Running {
  worker: Supervised
  /** the job is evaluating: nothing to checkpoint, its store is one transaction, so stop it at once */
  evaluating: boolean
}

/**
 * Runs jobs in worker processes, `concurrency` at a time, in order. Each worker is its own
 * process (and process group, see src/process/): its own tfjs and thread pool, and a crash or
 * divergence ends one job, not the sweep. Workers die with the sweep and never write after it.
 */
export class WorkerPool {
  private readonly running = new Set<Running>()
  private stopping = false

  /** @param env added to every worker's environment (the run's lock file, so a later owner can find workers a dead sweep left) */
  constructor(
    private readonly onMessage: (message: WorkerMessage) => void,
    private readonly env: Record<string, string> = {},
  ) {}

  /**
   * Stop starting jobs and stop running workers: a training worker gets SIGTERM, checkpoints at its
   * next step and exits (SIGKILL after `graceMs`); an evaluating one is killed at once (its
   * evaluation is stored in one transaction or not at all, and --resume evaluates again).
   */
  stop(graceMs: number): void {
    this.stopping = true
    for (const r of this.running) void r.worker.stop({graceMs: r.evaluating ? 0 : graceMs})
  }

  async run(jobs: readonly SweepJob[], concurrency: number): Promise<Map<string, JobOutcome>> {
    const outcomes = new Map<string, JobOutcome>()
    const queue = [...jobs]
    const lane = async (): Promise<void> => {
      for (let job = queue.shift(); job && !this.stopping; job = queue.shift()) outcomes.set(job.key, await this.runOne(job))
    }
    await Promise.all(Array.from({length: Math.max(1, Math.min(concurrency, jobs.length))}, lane))
    return outcomes
  }

  private async runOne(job: SweepJob): Promise<JobOutcome> {
    const worker = forkSupervised(WORKER, [], {execArgv: process.execArgv, env: {...process.env, ...this.env}, stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
    const entry: Running = {worker, evaluating: job.kind === 'evaluate'}
    this.running.add(entry)
    let outcome: JobOutcome | null = null
    worker.child.on('message', (message: WorkerMessage) => {
      if (message.type === 'done' && message.key === job.key) outcome = {status: message.status, evaluationId: message.evaluationId, message: message.message}
      else if (message.type === 'failed' && message.key === job.key) outcome = {status: 'failed', evaluationId: null, message: message.message, input: message.input, storage: message.storage}
      else if (message.type === 'start' && message.key === `${job.key} eval`) entry.evaluating = true
      this.onMessage(message)
    })
    worker.child.send(job)
    const {code, signal} = await worker.exited
    this.running.delete(entry)
    if (outcome) return outcome
    // Stopped by the sweep: not a failure; the candidate stays pending and --resume continues it.
    if (this.stopping) return {status: 'interrupted', evaluationId: null, message: `stopped (${signal ?? `code ${code}`}) before finishing ${job.label}`}
    return {status: 'failed', evaluationId: null, message: `worker exited (${signal ?? `code ${code}`}) before finishing ${job.label}`}
  }
}
