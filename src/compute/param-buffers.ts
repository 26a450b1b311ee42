import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'

/**
 * The float32 memory behind parameters and gradients. On the cpu-family backends (`native`,
 * `cpu`) it is the tensor's own array, updated in place; elsewhere (tfjs-node) a copy that
 * `commit` writes back.
 */
export function isCpuFamily(): boolean {
  return tf.getBackend() === 'native' || tf.getBackend() === 'cpu'
}

export function tensorValues(t: tf.Tensor): Float32Array {
  if (isCpuFamily()) {
    const values = (tf.backend() as MathBackendCPU).data.get(t.dataId).values
    if (values instanceof Float32Array) return values
  }
  return t.dataSync() as Float32Array
}

/** Writes updated values back to a variable when they were a copy (non-cpu backends). */
export function commitValues(v: tf.Variable, values: Float32Array): void {
  if (!isCpuFamily()) v.assign(tf.tensor(values, v.shape))
}
