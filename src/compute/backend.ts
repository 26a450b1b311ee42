import * as tf from '@tensorflow/tfjs-core'
import {type KernelFunc, getKernelsForBackend, registerBackend, registerKernel} from '@tensorflow/tfjs-core'
// tfjs-core's Node build registers no gradients; the @tensorflow/tfjs bundle does (and the cpu backend).
import '@tensorflow/tfjs'

import {InputError} from '../errors.js'
import {binaryKernels, segmentSumKernel} from './kernels/elementwise.js'
import {matMulKernels} from './kernels/matmul.js'
import {transformerKernels} from './kernels/transformer.js'
import type {NativeAddon} from './native-addon.js'
import {NativeBackend} from './native-backend.js'
import {defaultThreads, prepareNativeEngine} from './native-engine.js'

export {defaultThreads}

export const BACKEND_NAMES = ['tensorflow', 'native', 'cpu'] as const
export type BackendName = (typeof BACKEND_NAMES)[number]

export interface BackendInfo {
  name: BackendName
  /** Why this backend, e.g. "tfjs-node not installed; OpenBLAS found at libopenblas.so.0". */
  reason: string
  /** BLAS threads (native only). */
  threads?: number
}

let active: BackendInfo | undefined
let nativeAddon: NativeAddon | null = null

/** The addon behind the `native` backend, once initBackend chose it. */
export function activeAddon(): NativeAddon | null {
  return active?.name === 'native' ? nativeAddon : null
}

export function activeBackend(): BackendInfo | undefined {
  return active
}

/**
 * Picks and activates the compute backend once per process: `--backend` / LRGATE_BACKEND /
 * config force one; `auto` tries tfjs-node, then the cpu backend with native kernels, then plain cpu.
 * A forced backend that cannot load is an input error; in `auto` each failure is a reason.
 */
export async function initBackend(requested: string = 'auto', options: {threads?: number} = {}): Promise<BackendInfo> {
  const choice = process.env.LRGATE_BACKEND && requested === 'auto' ? process.env.LRGATE_BACKEND : requested
  if (!['auto', ...BACKEND_NAMES].includes(choice)) {
    throw new InputError(`backend "${choice}" is not one of auto, tensorflow, native, cpu; fix --backend or LRGATE_BACKEND.`)
  }
  if (active && (choice === 'auto' || choice === active.name)) return active
  const reasons: string[] = []

  if (choice === 'auto' || choice === 'tensorflow') {
    const tensorflow = await tryTensorflow()
    if (tensorflow === null) return activate({name: 'tensorflow', reason: 'tfjs-node loaded'})
    if (choice === 'tensorflow') throw new InputError(`backend tensorflow was asked for but ${tensorflow}; install @tensorflow/tfjs-node or use --backend native.`)
    reasons.push(tensorflow)
  }
  if (choice === 'auto' || choice === 'native') {
    const native = tryNative(options.threads)
    if (typeof native !== 'string') return activate({name: 'native', reason: [...reasons, native.reason].join('; '), threads: native.threads})
    if (choice === 'native') throw new InputError(`backend native was asked for but ${native}; install libopenblas0 or use --backend cpu.`)
    reasons.push(native)
  }
  return activate({name: 'cpu', reason: reasons.length > 0 ? `${reasons.join('; ')}; using plain tfjs cpu (slow)` : 'asked for plain tfjs cpu'})
}

async function activate(info: BackendInfo): Promise<BackendInfo> {
  // PROD skips tfjs's debug checks and its "install tfjs-node" banner; we print our own reason.
  tf.env().set('PROD', true)
  await tf.setBackend(info.name)
  await tf.ready()
  active = info
  return info
}

async function tryTensorflow(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-node' as string)
    return tf.findBackend('tensorflow') ? null : 'tfjs-node loaded but registered no tensorflow backend'
  } catch (error) {
    const code = (error as {code?: string}).code
    return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
      ? 'tfjs-node not installed'
      : `tfjs-node failed to load (${(error as Error).message.split('\n')[0]})`
  }
}

/** Registers the `native` backend: a cpu backend whose hot kernels call the addon. */
function tryNative(threads?: number): {reason: string; threads: number} | string {
  const engine = prepareNativeEngine(threads)
  if (typeof engine === 'string') return engine
  const {addon, blas} = engine
  nativeAddon = addon
  if (!tf.findBackend('native')) {
    registerBackend('native', () => new NativeBackend(), 1)
    const cpuKernels = new Map<string, KernelFunc>()
    for (const k of getKernelsForBackend('cpu')) {
      cpuKernels.set(k.kernelName, k.kernelFunc)
      registerKernel({...k, backendName: 'native'})
    }
    const ours = [
      ...matMulKernels(addon, 'native'),
      ...binaryKernels(addon, 'native', cpuKernels),
      segmentSumKernel(addon, 'native', cpuKernels),
      ...transformerKernels(addon, 'native'),
    ]
    for (const k of ours) {
      if (cpuKernels.has(k.kernelName)) tf.unregisterKernel(k.kernelName, 'native')
      registerKernel(k)
    }
  }
  const core = blas.coreType ? `, core ${blas.coreType}` : ''
  return {reason: `OpenBLAS found at ${blas.path} (${blas.config.split(' ').slice(0, 2).join(' ')}${core}, ${addon.getThreads()} threads)`, threads: addon.getThreads()}
}

/** Makes the plain cpu backend available too (for comparisons), without changing the active one. */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined
}
