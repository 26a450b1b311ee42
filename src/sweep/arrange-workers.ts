import {availableParallelism} from 'node:os'

/**
 * Two candidates at once with one thread each beat one candidate with two threads on small models
 * (see bench/: no synchronisation inside a step); `parallel: auto` picks that whenever it can:
 * min(cores, workers that fit in memory — see worker-memory.ts).
 */
export function arrangeWorkers(parallel: number | 'auto', jobs: number, cores = availableParallelism(), fitInMemory = Number.POSITIVE_INFINITY): {workers: number; threads: number} {
  const workers = Math.max(1, Math.min(parallel === 'auto' ? Math.min(cores, fitInMemory) : parallel, jobs))
  return {workers, threads: Math.max(1, Math.floor(cores / workers))}
}
