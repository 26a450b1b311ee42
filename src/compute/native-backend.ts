import {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu'
import type {DataId} from '@tensorflow/tfjs-core'

/** Buffers smaller than this are cheap to allocate fresh. */
const POOL_MIN_ELEMENTS = 16384
const POOL_MAX_PER_SIZE = 64

/**
 * The cpu backend with a pool of output buffers. A fresh Float32Array is zero pages that fault
 * in on first write; in a VM that costs ~25 µs a page, so a 4 MB activation took ~25 ms to
 * allocate — more than the sgemm that filled it. Kernel outputs of the `native` backend come from
 * `allocate` and go back to the pool when tfjs disposes their tensor.
 */
export class NativeBackend extends MathBackendCPU {
  /** Tests set this: every allocation is filled with NaN, so a kernel that skips an element shows. */
  static poison = false
  private readonly pool = new Map<number, Float32Array[]>()
  private readonly pooled = new WeakSet<Float32Array>()

  constructor() {
    super()
    // tfjs prints an "install tfjs-node" banner on first use of a cpu backend; we report our own reason.
    ;(this as unknown as {firstUse: boolean}).firstUse = false
  }

  /** A float32 buffer of `size` elements with unspecified contents: callers write it fully. */
  allocate(size: number): Float32Array {
    const buffer = this.take(size)
    if (NativeBackend.poison) buffer.fill(Number.NaN)
    return buffer
  }

  private take(size: number): Float32Array {
    if (size < POOL_MIN_ELEMENTS) return new Float32Array(size)
    const reused = this.pool.get(size)?.pop()
    if (reused) return reused
    const fresh = new Float32Array(size)
    this.pooled.add(fresh)
    return fresh
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values
    const deleted = super.disposeData(dataId, force)
    if (deleted && values instanceof Float32Array && this.pooled.has(values)) {
      let free = this.pool.get(values.length)
      if (!free) this.pool.set(values.length, (free = []))
      if (free.length < POOL_MAX_PER_SIZE) free.push(values)
    }
    return deleted
  }
}
