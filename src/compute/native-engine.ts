import {availableParallelism} from 'node:os'

import {type BlasInfo, loadBlas, selfTest} from './blas.js'
import {type NativeAddon, loadNativeAddon} from './native-addon.js'

/**
 * The native addon with OpenBLAS loaded and checked, without tfjs: what the `native` backend
 * builds on, and what evaluation uses directly (a whole-model decoder needs no tfjs, and not
 * importing tfjs saves about a second of process start).
 */
export interface NativeEngine {
  addon: NativeAddon
  blas: BlasInfo
  threads: number
}

let prepared: NativeEngine | string | undefined

/**
 * Loads the addon and BLAS once per process and runs the sgemm self-test; sets the thread pool
 * to `threads` (default: {@link defaultThreads}) on every call. Returns why not as a string.
 */
export function prepareNativeEngine(threads?: number): NativeEngine | string {
  if (prepared === undefined) {
    const {addon, reason} = loadNativeAddon()
    if (addon === null) prepared = reason
    else {
      const blas = loadBlas(addon)
      if (blas.info === null) prepared = `OpenBLAS not found (${blas.error})`
      else prepared = selfTest(addon) ?? {addon, blas: blas.info, threads: 0}
    }
  }
  if (typeof prepared === 'string') return prepared
  const wanted = threads ?? defaultThreads()
  if (prepared.threads !== wanted) {
    prepared.addon.setThreads(wanted)
    prepared.threads = prepared.addon.getThreads()
  }
  return prepared
}

/** Threads for one process: LRGATE_THREADS, else every core this process may use. */
export function defaultThreads(): number {
  const fromEnv = Number(process.env.LRGATE_THREADS)
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism()
}
