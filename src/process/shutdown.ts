import {constants} from 'node:os'

import {killAllNow} from './group.js'

export type StopSignal = 'SIGINT' | 'SIGTERM'

/** The exit code of a command stopped by `signal`, as shells report it: 130 for SIGINT, 143 for SIGTERM. */
export function exitCodeFor(signal: StopSignal): number {
  return 128 + constants.signals[signal]
}

/** Seconds CI runners, `timeout` and `docker stop` wait after SIGTERM before SIGKILL. */
export const SHUTDOWN_DEADLINE_MS = 10_000

export interface Shutdown {
  /** The first stop signal received, or null while none came. */
  readonly signal: StopSignal | null
  /** 130 / 143 after a signal, else null. */
  exitCode(): number | null
  /** Milliseconds left until the forced exit (the deadline minus a margin), for children's grace. */
  remainingMs(): number
  /** Removes the handlers (call in a finally, once the command's work is over). */
  dispose(): void
}

export interface ShutdownOptions {
  /** Called once, on the first SIGINT or SIGTERM: ask the work to checkpoint and finish. */
  begin: (signal: StopSignal) => void
  /**
   * Called (synchronously) when the graceful path ran out of time or a second signal came: record
   * what must be recorded (the run is `interrupted`), print what to do. The process then exits.
   */
  force?: (signal: StopSignal) => void
  /** When the forced exit happens, counted from the first signal [default: 9000 ms, inside CI's 10 s]. */
  deadlineMs?: number
  /** Where notes go [default: stderr]. */
  note?: (line: string) => void
}

/**
 * One graceful path for SIGINT (Ctrl-C) and SIGTERM (CI cancellation, `timeout`, `docker stop`):
 * the first signal calls `begin` (checkpoint, stop children); the command then finishes on its own
 * and exits with `exitCode()` (130 or 143). If it has not exited by the deadline, or a second
 * signal arrives, `force` runs, every supervised child group is killed and the process exits with
 * the same code. Signals are handled only while the event loop turns: long synchronous work
 * (generation) delays them until it yields.
 */
export function onShutdown(options: ShutdownOptions): Shutdown {
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS - 1000
  const note = options.note ?? ((line: string) => process.stderr.write(line + '\n'))
  let signal: StopSignal | null = null
  let receivedAt = 0
  let timer: NodeJS.Timeout | undefined
  const forceExit = (s: StopSignal): never => {
    try {
      options.force?.(s)
    } finally {
      killAllNow()
    }
    process.exit(exitCodeFor(s))
  }
  const handler = (s: StopSignal) => {
    if (signal !== null) {
      note(`lrgate: ${s} again: stopping now.`)
      forceExit(signal)
    }
    signal = s
    receivedAt = Date.now()
    timer = setTimeout(() => {
      note(`lrgate: not finished ${Math.round(deadlineMs / 1000)} s after ${s}: stopping now.`)
      forceExit(s)
    }, deadlineMs).unref()
    options.begin(s)
  }
  const onInt = () => handler('SIGINT')
  const onTerm = () => handler('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  return {
    get signal() {
      return signal
    },
    exitCode: () => (signal === null ? null : exitCodeFor(signal)),
    remainingMs: () => (signal === null ? deadlineMs : Math.max(0, deadlineMs - (Date.now() - receivedAt))),
    dispose() {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      if (timer) clearTimeout(timer)
    },
  }
}
