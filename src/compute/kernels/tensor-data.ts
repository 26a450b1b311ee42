import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu'
import type {DataType, TensorInfo} from '@tensorflow/tfjs-core'

/** The typed array behind a tensor on a cpu-family backend (no copy). */
export function f32(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array
}

export function i32(backend: MathBackendCPU, t: TensorInfo): Int32Array {
  const values = backend.data.get(t.dataId).values
  return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>)
}

/**
 * A new output tensor over `values`, or over a buffer of the shape's size whose contents are
 * unspecified (pooled on the native backend): the kernel must write every element, or call `zeros`.
 */
export function output(backend: MathBackendCPU, shape: number[], values?: Float32Array, dtype: DataType = 'float32'): TensorInfo {
  const size = shape.reduce((a, b) => a * b, 1)
  const pool = backend as MathBackendCPU & {allocate?: (n: number) => Float32Array}
  return backend.makeTensorInfo(shape, dtype, values ?? (pool.allocate ? pool.allocate(size) : new Float32Array(size)))
}

/** Like `output`, zero-filled: for kernels that accumulate (scatter-add). */
export function zeros(backend: MathBackendCPU, shape: number[]): TensorInfo {
  const out = output(backend, shape)
  f32(backend, out).fill(0)
  return out
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)
