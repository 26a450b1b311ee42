import {processesWithEnv} from '../trainer/supervisor.js'

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
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  for (let i = 0; i < 150 && strays.some(alive); i++) await new Promise((r) => setTimeout(r, 20))
}
