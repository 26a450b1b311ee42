import {Worker} from 'node:worker_threads'

/** Set by the supervisor for every child it starts: the pid the child must outlive no second of. */
export const PARENT_PID_ENV = 'LRGATE_PARENT_PID'

let parent: number | null = null

// Runs in a thread of its own, so it fires even while the main thread is busy in a long synchronous
// computation (generation, a training step): when the parent is gone, the child's whole process group
// is killed at once. Plain CommonJS, evaluated as a string: no file to find under tsx or in dist/.
const WATCHDOG = `
const {workerData} = require('node:worker_threads')
const gone = () => {
  try { process.kill(-process.pid, 'SIGKILL') } catch {}
  process.kill(process.pid, 'SIGKILL')
}
setInterval(() => { if (process.ppid !== workerData.parent) gone() }, workerData.pollMs)
`

/**
 * Child side of orphan prevention. Call once, first thing, in a process started by
 * `forkSupervised`: from then on `parentAlive()` turns false the moment the parent dies (its
 * children are re-parented, so `process.ppid` changes), and a watchdog thread kills this process
 * (and its process group) within `pollMs` (default 100 ms) even while the main thread computes.
 * Pair it with `guardWrites` (src/store/db.ts) so a write after the parent died fails instead of landing.
 */
export function armLifeline(options: {pollMs?: number} = {}): void {
  if (parent !== null) return
  parent = Number(process.env[PARENT_PID_ENV] ?? process.ppid)
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL')
  new Worker(WATCHDOG, {eval: true, workerData: {parent, pollMs: options.pollMs ?? 100}}).unref()
}

/** False once the parent that started this process has died (always true where no lifeline is armed). */
export function parentAlive(): boolean {
  return parent === null || process.ppid === parent
}
