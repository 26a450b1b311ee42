import {readFileSync} from 'node:fs'

import type {NativeAddon} from './native-addon.js'

/** Where Debian and other distributions put OpenBLAS; LRGATE_BLAS names another library first. */
const BLAS_CANDIDATES = [
  'libopenblas.so.0',
  '/usr/lib/x86_64-linux-gnu/libopenblas.so.0',
  '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0',
  '/usr/lib/aarch64-linux-gnu/libopenblas.so.0',
  'libopenblas.so',
  '/usr/local/lib/libopenblas.so',
]

export interface BlasInfo {
  path: string
  config: string
  coreType: string | null
}

/**
 * OpenBLAS 0.3.21 (Debian 12) does not recognise recent Xeons and falls back to its slowest
 * (Prescott) kernels, ~10x slower. When the user has not chosen, pick the core from the CPU flags;
 * `selfTest` below then checks the results before any training uses them.
 */
export function chooseCoreType(cpuinfo = readCpuInfo()): string | null {
  if (process.env.OPENBLAS_CORETYPE) return null
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/))
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => flags.has(f))) return 'SkylakeX'
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell'
  return null
}

function readCpuInfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8')
  } catch {
    return ''
  }
}

/** Loads BLAS into the addon; returns null with the loader's error when no library is found. */
export function loadBlas(addon: NativeAddon): {info: BlasInfo | null; error: string} {
  const coreType = chooseCoreType()
  // OpenBLAS reads OPENBLAS_CORETYPE once, when the library is loaded.
  if (coreType !== null) process.env.OPENBLAS_CORETYPE = coreType
  const candidates = process.env.LRGATE_BLAS ? [process.env.LRGATE_BLAS, ...BLAS_CANDIDATES] : BLAS_CANDIDATES
  const result = addon.loadBlas(candidates)
  if (result.path === '') return {info: null, error: result.error}
  return {info: {path: result.path, config: result.config, coreType}, error: ''}
}

/**
 * Checks sgemm against a plain loop on small random matrices (all four transpose cases), so a
 * BLAS build that computes wrong results on this CPU is caught before it trains anything.
 */
export function selfTest(addon: NativeAddon): string | null {
  const M = 19, N = 23, K = 31
  let seed = 7
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1
  const A = Float32Array.from({length: M * K}, rand)
  const B = Float32Array.from({length: K * N}, rand)
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const C = new Float32Array(M * N)
    addon.sgemm(ta, tb, M, N, K, 1, A, 0, ta ? M : K, B, 0, tb ? K : N, 0, C, 0, N)
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0
        for (let k = 0; k < K; k++) sum += A[ta ? k * M + i : i * K + k] * B[tb ? j * K + k : k * N + j]
        if (Math.abs(sum - C[i * N + j]) > 1e-4 * (1 + Math.abs(sum))) {
          return `sgemm self-test failed (transA=${ta}, transB=${tb}: ${C[i * N + j]} vs ${sum})`
        }
      }
    }
  }
  return null
}
