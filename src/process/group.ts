import {type ChildProcess, fork, type ForkOptions, spawn, type SpawnOptions} from 'node:child_process'

import {PARENT_PID_ENV} from './lifeline.js'

/** How a supervised child ended: an exit code, or the signal that ended it. */
export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A child lrgate started in a process group of its own (group id = its pid). */
export interface Supervised {
  readonly child: ChildProcess
  readonly pid: number
  /** Settles when the child has exited (and whatever was left in its group was killed). */
  readonly exited: Promise<Exit>
  /**
   * Stops the whole group: `signal` (default SIGTERM) now, SIGKILL after `graceMs` (default 10 000
   * ms, the grace CI runners give) if the child has not exited by then. Resolves with how it ended.
   */
  stop(options?: {graceMs?: number; signal?: NodeJS.Signals}): Promise<Exit>
}

export const DEFAULT_GRACE_MS = 10_000

const live = new Map<number, Supervised>()
let exitHookInstalled = false

/** Sends `signal` to every process of group `pgid`; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/** SIGKILL to every live supervised group, synchronously (the force path and the `exit` hook). */
export function killAllNow(): void {
  for (const pid of live.keys()) signalGroup(pid, 'SIGKILL')
}

/** Stops every live supervised group (SIGTERM, SIGKILL after `graceMs`) and waits for them. */
export async function stopAll(options: {graceMs?: number; signal?: NodeJS.Signals} = {}): Promise<void> {
  await Promise.all([...live.values()].map((s) => s.stop(options)))
}

/** Number of supervised children still running (for tests and the shutdown message). */
export function liveChildren(): number {
  return live.size
}

function supervise(child: ChildProcess): Supervised {
  if (child.pid === undefined) {
    // spawn failed at once (ENOENT, EMFILE): the 'error' event carries the reason.
    const exited = new Promise<Exit>((resolve) => child.once('error', () => resolve({code: 127, signal: null})))
    return {child, pid: -1, exited, stop: () => exited}
  }
  const pid = child.pid
  if (!exitHookInstalled) {
    // Whatever way lrgate exits (normally, process.exit, an uncaught error), no child outlives it.
    process.on('exit', killAllNow)
    exitHookInstalled = true
  }
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(pid)
      // A leader that exits takes the rest of its group with it (a trainer's data loaders, a shell's job).
      signalGroup(pid, 'SIGKILL')
      resolve({code, signal})
    }),
  )
  const supervised: Supervised = {
    child,
    pid,
    exited,
    async stop({graceMs = DEFAULT_GRACE_MS, signal = 'SIGTERM'} = {}) {
      if (!live.has(pid)) return exited
      signalGroup(pid, signal)
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs)
      const exit = await exited
      clearTimeout(timer)
      return exit
    },
  }
  live.set(pid, supervised)
  return supervised
}

const withParent = (env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv => ({...(env ?? process.env), [PARENT_PID_ENV]: String(process.pid)})

/**
 * Starts an lrgate Node module (a sweep worker) as a supervised child: its own process group,
 * an IPC channel, LRGATE_PARENT_PID set. The module calls `armLifeline()` first thing, so it dies
 * within ~0.1 s of its parent and never writes after it (see lifeline.ts).
 */
export function forkSupervised(modulePath: string, args: readonly string[] = [], options: ForkOptions = {}): Supervised {
  return supervise(fork(modulePath, args, {...options, detached: true, env: withParent(options.env)}))
}

// The guardian of an outside program (a trainer, a model server) that cannot arm a lifeline itself:
// a small Node process, leader of the group, that runs the program in its group, lets signals reach
// both, exits as the program exits, and kills the group within 0.1 s of lrgate's death.
const GUARDIAN = `
const {spawn} = require('node:child_process')
const parent = Number(process.env.${PARENT_PID_ENV})
const [command, ...args] = process.argv.slice(1)
const gone = () => { try { process.kill(-process.pid, 'SIGKILL') } catch {} process.kill(process.pid, 'SIGKILL') }
if (process.ppid !== parent) gone()
setInterval(() => { if (process.ppid !== parent) gone() }, 100).unref()
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {})
const child = spawn(command, args, {stdio: 'inherit'})
child.on('error', (e) => { process.stderr.write('lrgate: cannot start ' + command + ': ' + e.message + '\\n'); process.exit(127) })
child.on('exit', (code, signal) => {
  if (signal === null) process.exit(code)
  process.removeAllListeners(signal)
  process.kill(process.pid, signal)
})
`

/**
 * Starts an outside program (`command` with `args`, no shell unless you pass `sh -c …`) as a
 * supervised child: its own process group, led by a guardian that kills the group within ~0.1 s
 * when lrgate dies (kill -9 included), so no trainer or server outlives lrgate. stdio as given
 * (pipes reach the program itself). The child's exit code and signal are reported as the program's.
 * Mask what it prints with `maskSecrets` before storing or logging it.
 */
export function spawnSupervised(command: string, args: readonly string[] = [], options: SpawnOptions = {}): Supervised {
  return supervise(spawn(process.execPath, ['-e', GUARDIAN, '--', command, ...args], {...options, detached: true, env: withParent(options.env)}))
}
