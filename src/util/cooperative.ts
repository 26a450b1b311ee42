/** Thrown by `drainYielding` when its AbortSignal fires: the work stopped between two steps. */
export class Interrupted extends Error {
  constructor(readonly reason: string) {
    super(`interrupted (${reason})`)
    this.name = 'Interrupted'
  }
}

/**
 * Runs a generator of synchronous work steps (one forward pass each, say) to its end, letting the
 * event loop turn at least every `sliceMs` of wall time so signal handlers, timers and I/O run
 * while long inference goes on (Node delivers SIGTERM only between turns of the loop).
 *
 * @returns the generator's return value
 * @throws Interrupted once `signal` has aborted (checked after every slice); the generator's
 *   `finally` blocks run first, so native buffers are released
 */
export async function drainYielding<T>(steps: Generator<unknown, T, undefined>, signal?: AbortSignal, sliceMs = 50): Promise<T> {
  let sliceStart = Date.now()
  try {
    for (;;) {
      const step = steps.next()
      if (step.done === true) return step.value
      if (Date.now() - sliceStart < sliceMs) continue
      await new Promise((resolve) => setImmediate(resolve))
      sliceStart = Date.now()
      if (signal?.aborted === true) throw new Interrupted(String(signal.reason ?? 'aborted'))
    }
  } finally {
    steps.return(undefined as never)
  }
}

/** Runs a generator of synchronous steps to its end without yielding (for callers that cannot await). */
export function drain<T>(steps: Generator<unknown, T, undefined>): T {
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
  }
}
