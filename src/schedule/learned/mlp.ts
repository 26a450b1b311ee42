import type {Rng} from '../../util/rng.js'

/**
 * A two-layer perceptron in plain JavaScript (float64): input → tanh(W1·x + b1) (hidden units) →
 * W2·h + b2. Small enough (7 inputs, 32 hidden, ≤ 3 outputs) that tfjs would only add start-up time.
 * Parameters live in one flat array so Adam and the controller file treat them as one vector:
 * [W1 (hidden×inputs, row-major), b1 (hidden), W2 (outputs×hidden), b2 (outputs)].
 */
export interface MlpShape {
  inputs: number
  hidden: number
  outputs: number
}

export function parameterCount(s: MlpShape): number {
  return s.hidden * s.inputs + s.hidden + s.outputs * s.hidden + s.outputs
}

/** Seeded init: W ~ N(0, 1/fan_in)·gain, biases 0 (the output layer scaled by `outGain`, PPO's small last layer). */
export function initMlp(s: MlpShape, rng: Rng, outGain = 0.01): Float64Array {
  const p = new Float64Array(parameterCount(s))
  let i = 0
  for (let k = 0; k < s.hidden * s.inputs; k++) p[i++] = rng.normal() / Math.sqrt(s.inputs)
  i += s.hidden
  for (let k = 0; k < s.outputs * s.hidden; k++) p[i++] = (outGain * rng.normal()) / Math.sqrt(s.hidden)
  return p
}

/** The forward pass; `hidden` is kept for the backward pass. */
export function forward(s: MlpShape, p: Float64Array, x: readonly number[]): {out: number[]; hidden: number[]} {
  const hidden = new Array<number>(s.hidden)
  const b1 = s.hidden * s.inputs, w2 = b1 + s.hidden, b2 = w2 + s.outputs * s.hidden
  for (let j = 0; j < s.hidden; j++) {
    let a = p[b1 + j]
    for (let k = 0; k < s.inputs; k++) a += p[j * s.inputs + k] * x[k]
    hidden[j] = Math.tanh(a)
  }
  const out = new Array<number>(s.outputs)
  for (let o = 0; o < s.outputs; o++) {
    let a = p[b2 + o]
    for (let j = 0; j < s.hidden; j++) a += p[w2 + o * s.hidden + j] * hidden[j]
    out[o] = a
  }
  return {out, hidden}
}

/** Adds ∂L/∂p to `grad` given ∂L/∂out for one input (backpropagation through tanh). */
export function backward(s: MlpShape, p: Float64Array, x: readonly number[], hidden: readonly number[], dOut: readonly number[], grad: Float64Array): void {
  const b1 = s.hidden * s.inputs, w2 = b1 + s.hidden, b2 = w2 + s.outputs * s.hidden
  for (let o = 0; o < s.outputs; o++) {
    grad[b2 + o] += dOut[o]
    for (let j = 0; j < s.hidden; j++) grad[w2 + o * s.hidden + j] += dOut[o] * hidden[j]
  }
  for (let j = 0; j < s.hidden; j++) {
    let dh = 0
    for (let o = 0; o < s.outputs; o++) dh += dOut[o] * p[w2 + o * s.hidden + j]
    const da = dh * (1 - hidden[j] * hidden[j])
    grad[b1 + j] += da
    for (let k = 0; k < s.inputs; k++) grad[j * s.inputs + k] += da * x[k]
  }
}
