import {type ChildProcess, fork} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import type {SweepJob, WorkerMessage} from './messages.js'

export interface JobOutcome {
  status: string
  evaluationId: number | null
  message: string
  /** the job failed on bad input (exit 2 material) rather than a crash */
  input?: boolean
}

// Compiled: worker.js beside this file; under tsx (tests, scripts): worker.ts.
const WORKER = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url))

/**
 * Runs jobs in worker processes, `concurrency` at a time, in order. Each worker is its own
 * process: its own tfjs and thread pool, and a crash or divergence ends one job, not the sweep.
 */
export class WorkerPool {
  private readonly running = new Set<ChildProcess>()
  private stopping = false

  constructor(private readonly onMessage: (message: WorkerMessage) => void) {}

  /** Stop starting jobs and ask running workers to checkpoint and exit. */
  stop(): void {
    this.stopping = true
    for (const child of this.running) child.kill('SIGINT')
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

  private runOne(job: SweepJob): Promise<JobOutcome> {
    return new Promise((resolve) => {
      const child = fork(WORKER, [], {execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
      this.running.add(child)
      let outcome: JobOutcome | null = null
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'done' && message.key === job.key) outcome = {status: message.status, evaluationId: message.evaluationId, message: message.message}
        else if (message.type === 'failed' && message.key === job.key) outcome = {status: 'failed', evaluationId: null, message: message.message, input: message.input}
        this.onMessage(message)
      })
      child.on('exit', (code, signal) => {
        this.running.delete(child)
        resolve(outcome ?? {status: 'failed', evaluationId: null, message: `worker exited (${signal ?? `code ${code}`}) before finishing ${job.label}`})
      })
      child.send(job)
    })
  }
}
