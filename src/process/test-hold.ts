import {writeFileSync} from 'node:fs'

/**
 * A test hook for fault tests of real processes: with LRGATE_TEST_HOLD_AT=<point> in the
 * environment, `testHold(point)` writes this process's pid to LRGATE_TEST_HOLD_FILE and then blocks
 * the main thread for LRGATE_TEST_HOLD_MS (default 5000), as a long computation would, so a test can
 * kill the parent at that exact moment. Does nothing unless the variable names this point.
 */
export function testHold(point: string): void {
  if (process.env.LRGATE_TEST_HOLD_AT !== point) return
  if (process.env.LRGATE_TEST_HOLD_FILE) writeFileSync(process.env.LRGATE_TEST_HOLD_FILE, `${process.pid}\n`)
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.LRGATE_TEST_HOLD_MS ?? 5000))
}
