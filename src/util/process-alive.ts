/**
 * Whether process `pid` is alive (signal 0: nothing is sent). A process of another user answers
 * EPERM, and is alive too.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
