import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import {packageRoot} from '../paths.js'

/** The functions of native/src/addon.cc. Typed arrays are used in place, never copied. */
export interface NativeAddon {
  loadBlas(paths: string[]): {path: string; error: string; config: string}
  setThreads(n: number): void
  getThreads(): number
  sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: Float32Array, aOffset: number, lda: number, B: Float32Array, bOffset: number, ldb: number,
    beta: number, C: Float32Array, cOffset: number, ldc: number,
  ): void
  batchedSgemm(
    batch: number, transA: boolean, transB: boolean, M: number, N: number, K: number,
    A: Float32Array, aStride: number, B: Float32Array, bStride: number, C: Float32Array,
  ): void
  attentionForward(qkv: Float32Array, y: Float32Array, probs: Float32Array, B: number, T: number, H: number, hd: number): void
  attentionBackward(
    dy: Float32Array, qkv: Float32Array, probs: Float32Array, dqkv: Float32Array, B: number, T: number, H: number, hd: number,
  ): void
  cachedAttention(
    qkv: Float32Array, cacheK: Float32Array, cacheV: Float32Array, y: Float32Array, pads: Int32Array,
    B: number, L: number, H: number, hd: number, C: number, start: number,
  ): void
  layerNormForward(
    x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, rstd: Float32Array,
    N: number, D: number, eps: number,
  ): void
  layerNormBackward(
    dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, N: number, D: number,
  ): void
  geluForward(x: Float32Array, y: Float32Array): void
  geluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void
  columnSum(dy: Float32Array, out: Float32Array, N: number, D: number): void
  addRow(x: Float32Array, row: Float32Array, y: Float32Array, N: number, D: number): void
  crossEntropyForward(logits: Float32Array, targets: Int32Array, w: Float32Array, probs: Float32Array, N: number, V: number): number
  crossEntropyBackward(
    probs: Float32Array, targets: Int32Array, w: Float32Array, dlogits: Float32Array, N: number, V: number, scale: number,
  ): void
  tokenNll(logits: Float32Array, targets: Int32Array, nll: Float32Array, N: number, V: number): void
  scatterAdd(src: Float32Array, idx: Int32Array, out: Float32Array, N: number, D: number, numSegments: number): void
  sumSquares(x: Float32Array): number
  adamwStep(
    p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number,
    eps: number, weightDecay: number, biasCorrection1: number, biasCorrection2: number, gradScale: number,
  ): void
  binaryOp(op: number, a: Float32Array, b: Float32Array, out: Float32Array, swap: boolean): void
  /** The whole-model evaluation decoder of native/src/gpt_decoder.h (weights copied in). */
  decoderCreate(shape: Int32Array, weights: Float32Array): NativeHandle
  decoderFree(decoder: NativeHandle): void
  kvCacheCreate(decoder: NativeHandle, slots: number): NativeHandle
  kvCacheFree(cache: NativeHandle): void
  /** seqs: nseq × (row, length, slot, position); logits [nseq, vocab] of each sequence's last row */
  decoderLastLogits(decoder: NativeHandle, cache: NativeHandle | null, tokens: Int32Array, seqs: Int32Array, nseq: number, logits: Float32Array): void
  /** seqs: nseq × (row, length, -1, 0); per-row NLL of targets, no cache; with `from`, rows of sequence i before from[i] are not scored (0) */
  decoderRowNll(decoder: NativeHandle, tokens: Int32Array, seqs: Int32Array, nseq: number, targets: Int32Array, nll: Float32Array, from?: Int32Array | null): void
  /** decoderLastLogits with row pick[i] of sequence i for its logits, plus the NLL of targets from row pick[i] on (earlier rows 0; gpt_decoder.h forwardNll). */
  decoderForwardNll(decoder: NativeHandle, cache: NativeHandle, tokens: Int32Array, seqs: Int32Array, nseq: number, pick: Int32Array, logits: Float32Array, targets: Int32Array, nll: Float32Array): void
}

/** An opaque native object (napi external); freed by its *Free function or when collected. */
export type NativeHandle = {readonly __native: unique symbol}

export const ADDON_PATH = join(packageRoot(), 'native', 'build', 'Release', 'lrgate_native.node')

let cached: {addon: NativeAddon | null; reason: string} | undefined

/** Loads the compiled addon once; null with the reason when it was not built or does not load. */
export function loadNativeAddon(): {addon: NativeAddon | null; reason: string} {
  if (cached) return cached
  if (!existsSync(ADDON_PATH)) {
    cached = {addon: null, reason: `native addon not built (${ADDON_PATH} missing; run \`npm run build:native\`)`}
    return cached
  }
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon
    cached = {addon, reason: 'native addon loaded'}
  } catch (error) {
    cached = {addon: null, reason: `native addon failed to load (${(error as Error).message.split('\n')[0]})`}
  }
  return cached
}
