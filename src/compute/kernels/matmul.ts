import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu'
import {type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo, getKernel} from '@tensorflow/tfjs-core'

import type {NativeAddon} from '../native-addon.js'
import {f32, output, sizeOf} from './tensor-data.js'

/**
 * tf.matMul through BLAS: every batch matrix is one sgemm. Batch dims broadcast with numpy rules
 * on both sides (tfjs 4.22's cpu kernel gets that case wrong), transposes go to BLAS flags.
 */
export function batchMatMulNative(addon: NativeAddon, backend: MathBackendCPU, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const ra = a.shape.length, rb = b.shape.length
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2]
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1]
  const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2]
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1]
  if (K !== Kb) {
    throw new Error(`Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`)
  }
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2)
  const batchOut = broadcastShape(batchA, batchB, a.shape, b.shape)
  const out = output(backend, [...batchOut, M, N])
  const C = f32(backend, out)
  const A = f32(backend, a), B = f32(backend, b)
  const lda = transposeA ? M : K, ldb = transposeB ? K : N
  const nBatch = sizeOf(batchOut)
  const sizeA = sizeOf(batchA), sizeB = sizeOf(batchB)
  if (M * N === 0) return out
  if ((sizeA === nBatch || sizeA === 1) && (sizeB === nBatch || sizeB === 1)) {
    // The common cases (equal batch shapes, or one side a single matrix) need no index mapping.
    addon.batchedSgemm(nBatch, transposeA, transposeB, M, N, K, A, sizeA === 1 ? 0 : M * K, B, sizeB === 1 ? 0 : K * N, C)
    return out
  }
  for (let i = 0; i < nBatch; i++) {
    const ia = broadcastIndex(i, batchOut, batchA), ib = broadcastIndex(i, batchOut, batchB)
    addon.sgemm(transposeA, transposeB, M, N, K, 1, A, ia * M * K, lda, B, ib * K * N, ldb, 0, C, i * M * N, N)
  }
  return out
}

function broadcastShape(x: number[], y: number[], fullA: number[], fullB: number[]): number[] {
  const rank = Math.max(x.length, y.length)
  const out: number[] = []
  for (let i = 0; i < rank; i++) {
    const dx = x[x.length - rank + i] ?? 1, dy = y[y.length - rank + i] ?? 1
    if (dx !== dy && dx !== 1 && dy !== 1) throw new Error(`Operands could not be broadcast together with shapes ${fullA} and ${fullB}.`)
    out.push(Math.max(dx, dy))
  }
  return out
}

/** Flat index into a (possibly broadcast) batch shape for flat output batch index `i`. */
function broadcastIndex(i: number, outShape: number[], shape: number[]): number {
  let index = 0, stride = 1, rest = i
  const offset = outShape.length - shape.length
  for (let d = outShape.length - 1; d >= 0; d--) {
    const coord = rest % outShape[d]
    rest = Math.floor(rest / outShape[d])
    const dim = d - offset >= 0 ? shape[d - offset] : 1
    if (d - offset >= 0) {
      index += (dim === 1 ? 0 : coord) * stride
      stride *= dim
    }
  }
  return index
}

const ACTIVATION_KERNELS: Record<string, string> = {
  relu: 'Relu', relu6: 'Relu6', elu: 'Elu', sigmoid: 'Sigmoid', leakyrelu: 'LeakyRelu', prelu: 'Prelu',
}

export function matMulKernels(addon: NativeAddon, backendName: string): KernelConfig[] {
  const batchMatMul: KernelFunc = ({inputs, backend, attrs}) => {
    const {transposeA, transposeB} = attrs as {transposeA: boolean; transposeB: boolean}
    const {a, b} = inputs as {a: TensorInfo; b: TensorInfo}
    return batchMatMulNative(addon, backend as MathBackendCPU, a, b, transposeA, transposeB)
  }
  const fusedMatMul: KernelFunc = ({inputs, backend, attrs}) => {
    const cpu = backend as MathBackendCPU
    const {transposeA, transposeB, activation, leakyreluAlpha} = attrs as {
      transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number
    }
    const {a, b, bias, preluActivationWeights} = inputs as Record<string, TensorInfo>
    let current = batchMatMulNative(addon, cpu, a, b, transposeA, transposeB)
    const run = (kernel: string, kernelInputs: Record<string, TensorInfo>, kernelAttrs: NamedAttrMap = {}): void => {
      const next = getKernel(kernel, backendName)!.kernelFunc({inputs: kernelInputs, backend, attrs: kernelAttrs}) as TensorInfo
      cpu.disposeIntermediateTensorInfo(current)
      current = next
    }
    if (bias) run('Add', {a: current, b: bias})
    if (activation && activation !== 'linear') {
      const kernel = ACTIVATION_KERNELS[activation]
      if (!kernel) throw new Error(`_FusedMatMul: unknown activation ${activation}`)
      if (activation === 'prelu') run(kernel, {x: current, alpha: preluActivationWeights})
      else run(kernel, {x: current}, activation === 'leakyrelu' ? {alpha: leakyreluAlpha ?? 0.2} : {})
    }
    return current
  }
  return [
    {kernelName: 'BatchMatMul', backendName, kernelFunc: batchMatMul},
    {kernelName: '_FusedMatMul', backendName, kernelFunc: fusedMatMul},
  ]
}
