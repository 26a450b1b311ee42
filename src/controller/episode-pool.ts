import {availableParallelism} from 'node:os'
import {fileURLToPath} from 'node:url'

import {forkSupervised, type Supervised} from '../process/index.js'
import type {EpisodeJob, EpisodeOutcome} from './episode-job.js'
import type {EpisodeRunner} from './train-controller.js'

/** What the pool sends a worker: the backend to use (first), then episodes. */
export type PoolRequest = {type: 'backend'; backend: string; threads: number} | {type: 'episode'; job: EpisodeJob}
/** What a worker answers: an episode's outcome, or why it failed. */
export type PoolReply = {type: 'outcome'; outcome: EpisodeOutcome} | {type: 'error'; episode: number; message: string}

// Compiled: episode-worker.js beside this file; under tsx (tests, scripts): episode-worker.ts.
const WORKER = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './episode-worker.ts' : './episode-worker.js', import.meta.url))

/**
 * `workers` long-lived worker processes (each its own process group, dying with this process) that
 * run a batch's episodes side by side, each with `threads` compute threads. `run` returns the outcomes in the jobs' order whatever order they finish in, so training is
 * the same as with `sequentialEpisodes` for a seed. Call `close` when done (also on error).
 */
export class EpisodePool {
  private readonly workers: Supervised[] = []

  /** @param threads compute threads per worker (default floor(cores / size), at least 1) */
  constructor(readonly size: number, backend: string, threads = Math.max(1, Math.floor(availableParallelism() / size))) {
    for (let i = 0; i < size; i++) {
      const worker = forkSupervised(WORKER, [], {execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced'})
      worker.child.send({type: 'backend', backend, threads} satisfies PoolRequest)
      this.workers.push(worker)
    }
  }

  /** The runner trainController takes. */
  readonly run: EpisodeRunner = async (jobs) => {
    const outcomes = new Array<EpisodeOutcome>(jobs.length)
    let next = 0
    const lane = async (worker: Supervised): Promise<void> => {
      for (let i = next++; i < jobs.length; i = next++) outcomes[i] = await this.runOn(worker, jobs[i])
    }
    await Promise.all(this.workers.slice(0, jobs.length).map(lane))
    return outcomes
  }

  private runOn(worker: Supervised, job: EpisodeJob): Promise<EpisodeOutcome> {
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`controller worker ${worker.pid} exited during episode ${job.episode + 1}`))
      const onMessage = (message: PoolReply) => {
        worker.child.off('message', onMessage)
        worker.child.off('exit', onExit)
        if (message.type === 'outcome') resolve(message.outcome)
        else reject(new Error(`episode ${job.episode + 1} failed in a worker: ${message.message}`))
      }
      worker.child.on('message', onMessage)
      worker.child.once('exit', onExit)
      worker.child.send({type: 'episode', job} satisfies PoolRequest)
    })
  }

  /** Stops every worker and waits for them. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop({graceMs: 2000})))
  }
}
