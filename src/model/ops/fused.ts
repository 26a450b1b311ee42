import * as tf from '@tensorflow/tfjs-core'

/** True when the active backend registers this (fused) kernel, i.e. on the `native` backend. */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined
}

export function runKernel<T extends tf.Tensor | tf.Tensor[]>(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}): T {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as unknown as T
}

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[]
type Forward = (inputs: tf.Tensor[], save: (tensors: tf.Tensor[]) => void) => {value: tf.Tensor; gradFunc: GradFunc}

/**
 * A differentiable op whose forward and backward are each one fused kernel: tfjs records one
 * tape node for it instead of the dozens of small ops its composition would take.
 */
export function fusedOp(forward: Forward): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as (tensors: tf.Tensor[]) => void
    return forward(args as tf.Tensor[], save)
  }) as unknown as Parameters<typeof tf.customGrad>[0])
  return (...inputs: tf.Tensor[]) => op(...inputs)
}
