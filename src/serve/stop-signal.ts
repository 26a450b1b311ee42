/**
 * Resolves with the name of the first SIGINT or SIGTERM this process receives (and stops listening
 * for them). A long-running command awaits this, then shuts down cleanly and returns.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on)
      process.off('SIGTERM', on)
      resolve(signal)
    }
    process.on('SIGINT', on)
    process.on('SIGTERM', on)
  })
}
