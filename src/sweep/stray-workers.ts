import {processesWithEnv} from '../trainer/supervisor.js'
import {processAlive} from '../util/process-alive.js'

/** Set in every sweep worker's environment: the run's lock file (store/run-lock.ts), which names the run. */
export const RUN_LOCK_ENV = 'LRGATE_RUN_LOCK'

/**
 * Kills the workers a dead owner of the run left (found by RUN_LOCK_ENV in their environment) and
 * waits until they are gone, at most 3 s. They would die within 2 s on their own (their lifeline
 * sees the parent gone, and they can store no row), but one still saving a checkpoint would
 * replace the folder the new owner is reading.
 */
export async function stopStrayWorkers(lockFile: string): Promise<void> {
  const strays = processesWithEnv(RUN_LOCK_ENV, lockFile)
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  for (let i = 0; i < 150 && strays.some(processAlive); i++) await new Promise((r) => setTimeout(r, 20))
}
