import type {NativeAddon, NativeHandle} from '../compute/native-addon.js'
import {type GptConfig, parameterShapes} from './config.js'
import type {InferenceModel, KvDecoder} from './inference.js'

/**
 * The model on the native decoder (native/src/gpt_decoder.cc): every forward pass of generation
 * and scoring is one native call over the whole model. No tfjs involved; the weights are copied
 * into native memory, so later changes to the source arrays do not reach it.
 */
export class NativeGpt implements InferenceModel {
  readonly config: GptConfig
  private handle: NativeHandle | null
  /**
   * The key/value cache of the last decoder disposed, kept for the next: a fresh one is tens of MB
   * whose first touch costs page faults on every generation (serve answers many on one model).
   * Every position is written before it is read, so a reused cache needs no clearing.
   */
  private spare: {cache: NativeHandle; slots: number} | null = null

  private constructor(private readonly addon: NativeAddon, config: GptConfig, handle: NativeHandle) {
    this.config = config
    this.handle = handle
  }

  /** weights: every parameter of parameterShapes(config) by name, row-major float32. */
  static fromWeights(addon: NativeAddon, config: GptConfig, weights: ReadonlyMap<string, Float32Array>): NativeGpt {
    const shapes = parameterShapes(config)
    const total = shapes.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0)
    const all = new Float32Array(total)
    let offset = 0
    for (const [name, shape] of shapes) {
      const values = weights.get(name)
      const size = shape.reduce((a, b) => a * b, 1)
      if (!values || values.length !== size) throw new Error(`native decoder: parameter ${name} missing or not ${shape.join('x')}`)
      all.set(values, offset)
      offset += size
    }
    const shape = Int32Array.of(config.vocabSize, config.contextLength, config.dModel, config.nLayers, config.nHeads, config.tiedHead ? 1 : 0)
    return new NativeGpt(addon, config, addon.decoderCreate(shape, all))
  }

  private live(): NativeHandle {
    if (this.handle === null) throw new Error('native decoder used after dispose()')
    return this.handle
  }

  decoder(slots: number): KvDecoder {
    const {addon} = this
    const model = this.live()
    const spare = this.spare
    this.spare = null
    let cache: NativeHandle | null
    let capacity = slots
    if (spare !== null && spare.slots >= slots) {
      cache = spare.cache
      capacity = spare.slots
    } else {
      if (spare !== null) addon.kvCacheFree(spare.cache)
      cache = addon.kvCacheCreate(model, slots)
    }
    const live = () => {
      if (cache === null) throw new Error('decoder used after dispose()')
      return cache
    }
    return {
      forward: (tokens, seqs, nseq, logits) => addon.decoderLastLogits(this.live(), live(), tokens, seqs, nseq, logits),
      // an addon built before forwardNll existed has no decoderForwardNll: callers score separately
      ...(typeof addon.decoderForwardNll === 'function'
        ? {forwardNll: (tokens: Int32Array, seqs: Int32Array, nseq: number, pick: Int32Array, logits: Float32Array, targets: Int32Array, nll: Float32Array) => addon.decoderForwardNll(this.live(), live(), tokens, seqs, nseq, pick, logits, targets, nll)}
        : {}),
      dispose: () => {
        if (cache === null) return
        // keep the larger of this cache and the spare (another decoder may have returned one meanwhile)
        if (this.handle !== null && (this.spare === null || this.spare.slots < capacity)) {
          if (this.spare !== null) addon.kvCacheFree(this.spare.cache)
          this.spare = {cache, slots: capacity}
        } else addon.kvCacheFree(cache)
        cache = null
      },
    }
  }

  rowNll(tokens: Int32Array, seqs: Int32Array, nseq: number, targets: Int32Array, nll: Float32Array, from?: Int32Array): void {
    this.addon.decoderRowNll(this.live(), tokens, seqs, nseq, targets, nll, from ?? null)
  }

  dispose(): void {
    if (this.spare !== null) this.addon.kvCacheFree(this.spare.cache)
    this.spare = null
    if (this.handle !== null) this.addon.decoderFree(this.handle)
    this.handle = null
  }
}
