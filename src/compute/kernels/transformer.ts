import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu'
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core'

import {FUSED} from '../kernel-names.js'
import type {NativeAddon} from '../native-addon.js'
import {f32, i32, output, zeros} from './tensor-data.js'

type Inputs = Record<string, TensorInfo>

/** The fused forward/backward kernels of the transformer block, one native call each. */
export function transformerKernels(addon: NativeAddon, backendName: string): KernelConfig[] {
  const kernel = (kernelName: string, fn: (inputs: Inputs, backend: MathBackendCPU, attrs: Record<string, number>) => TensorInfo | TensorInfo[]): KernelConfig => ({
    kernelName,
    backendName,
    kernelFunc: (({inputs, backend, attrs}) => fn(inputs as Inputs, backend as MathBackendCPU, attrs as Record<string, number>)) as KernelFunc,
  })

  return [
    // y [N, Dout] = x [N, Din] · w [Din, Dout] + b: sgemm, then the bias added in place.
    kernel(FUSED.linear, ({x, w, b}, be) => {
      const [N, Din] = x.shape, Dout = w.shape[1]
      const y = output(be, [N, Dout])
      const Y = f32(be, y)
      addon.sgemm(false, false, N, Dout, Din, 1, f32(be, x), 0, Din, f32(be, w), 0, Dout, 0, Y, 0, Dout)
      addon.addRow(Y, f32(be, b), Y, N, Dout)
      return y
    }),
    // dx = dy · wᵀ, dw = xᵀ · dy, db = column sums of dy
    kernel(FUSED.linearGrad, ({dy, x, w}, be) => {
      const [N, Din] = x.shape, Dout = w.shape[1]
      const dx = output(be, [N, Din]), dw = output(be, [Din, Dout]), db = output(be, [Dout])
      const DY = f32(be, dy)
      addon.sgemm(false, true, N, Din, Dout, 1, DY, 0, Dout, f32(be, w), 0, Dout, 0, f32(be, dx), 0, Din)
      addon.sgemm(true, false, Din, Dout, N, 1, f32(be, x), 0, Din, DY, 0, Dout, 0, f32(be, dw), 0, Dout)
      addon.columnSum(DY, f32(be, db), N, Dout)
      return [dx, dw, db]
    }),
    kernel(FUSED.layerNorm, ({x, gamma, beta}, be, {eps}) => {
      const [N, D] = x.shape
      const y = output(be, [N, D]), mean = output(be, [N]), rstd = output(be, [N])
      addon.layerNormForward(f32(be, x), f32(be, gamma), f32(be, beta), f32(be, y), f32(be, mean), f32(be, rstd), N, D, eps)
      return [y, mean, rstd]
    }),
    kernel(FUSED.layerNormGrad, ({dy, x, gamma, mean, rstd}, be) => {
      const [N, D] = x.shape
      const dx = output(be, [N, D]), dgamma = output(be, [D]), dbeta = output(be, [D])
      addon.layerNormBackward(f32(be, dy), f32(be, x), f32(be, gamma), f32(be, mean), f32(be, rstd), f32(be, dx), f32(be, dgamma), f32(be, dbeta), N, D)
      return [dx, dgamma, dbeta]
    }),
    // qkv [B*T, 3D] → y [B*T, D], probs [B*H, T, T] (kept for the backward pass)
    kernel(FUSED.attention, ({qkv}, be, {batch, time, heads}) => {
      const D = qkv.shape[1] / 3, hd = D / heads
      const y = output(be, [batch * time, D]), probs = output(be, [batch * heads, time, time])
      addon.attentionForward(f32(be, qkv), f32(be, y), f32(be, probs), batch, time, heads, hd)
      return [y, probs]
    }),
    kernel(FUSED.attentionGrad, ({dy, qkv, probs}, be, {batch, time, heads}) => {
      const D = qkv.shape[1] / 3, hd = D / heads
      const dqkv = output(be, [...qkv.shape])
      addon.attentionBackward(f32(be, dy), f32(be, qkv), f32(be, probs), f32(be, dqkv), batch, time, heads, hd)
      return dqkv
    }),
    kernel(FUSED.gelu, ({x}, be) => {
      const y = output(be, [...x.shape])
      addon.geluForward(f32(be, x), f32(be, y))
      return y
    }),
    kernel(FUSED.geluGrad, ({x, dy}, be) => {
      const dx = output(be, [...x.shape])
      addon.geluBackward(f32(be, x), f32(be, dy), f32(be, dx))
      return dx
    }),
    // mean weighted cross-entropy; probs are kept for the backward pass
    kernel(FUSED.crossEntropy, ({logits, targets, weights}, be) => {
      const [N, V] = logits.shape
      const probs = output(be, [N, V])
      const loss = addon.crossEntropyForward(f32(be, logits), i32(be, targets), f32(be, weights), f32(be, probs), N, V)
      return [output(be, [], Float32Array.of(loss)), probs]
    }),
    kernel(FUSED.crossEntropyGrad, ({probs, targets, weights, dy}, be) => {
      const [N, V] = probs.shape
      const w = f32(be, weights)
      let total = 0
      for (let i = 0; i < N; i++) total += w[i]
      const dlogits = output(be, [N, V])
      addon.crossEntropyBackward(f32(be, probs), i32(be, targets), w, f32(be, dlogits), N, V, total > 0 ? f32(be, dy)[0] / total : 0)
      return dlogits
    }),
    // per-row NLL of the target (scoring): one pass, no probabilities kept
    kernel(FUSED.tokenNll, ({logits, targets}, be) => {
      const [N, V] = logits.shape
      const nll = output(be, [N])
      addon.tokenNll(f32(be, logits), i32(be, targets), f32(be, nll), N, V)
      return nll
    }),
    // x [B*T, D] = wte[idx] + wpe[position]
    kernel(FUSED.embedding, ({wte, wpe, idx, positions}, be) => {
      const D = wte.shape[1], V = wte.shape[0], P = wpe.shape[0]
      const ids = i32(be, idx), pos = i32(be, positions)
      const WTE = f32(be, wte), WPE = f32(be, wpe)
      const n = ids.length
      const out = output(be, [n, D])
      const X = f32(be, out)
      for (let i = 0; i < n; i++) {
        const t = ids[i], p = pos[i]
        if (t < 0 || t >= V || p < 0 || p >= P) throw new Error(`embedding index out of range (token ${t}, position ${p})`)
        const o = i * D, a = t * D, c = p * D
        for (let j = 0; j < D; j++) X[o + j] = WTE[a + j] + WPE[c + j]
      }
      return out
    }),
    kernel(FUSED.embeddingGrad, ({dy, idx, positions}, be, {vocab, maxPositions}) => {
      const D = dy.shape[1], n = dy.shape[0]
      const dwte = zeros(be, [vocab, D]), dwpe = zeros(be, [maxPositions, D])
      const DY = f32(be, dy)
      addon.scatterAdd(DY, i32(be, idx), f32(be, dwte), n, D, vocab)
      addon.scatterAdd(DY, i32(be, positions), f32(be, dwpe), n, D, maxPositions)
      return [dwte, dwpe]
    }),
  ]
}
