import {z} from 'zod'

import {deriveSeed, seededRng} from '../util/rng.js'
import type {GptConfig} from './config.js'

/**
 * LoRA (Hu et al. 2021): a frozen dense weight W [Din, Dout] gains a low-rank update
 *   W' = W + (alpha / rank) · A · B,   A [Din, rank], B [rank, Dout]
 * with B initialised to zero (the adapted model starts as the base model) and A uniform in
 * ±1/√Din (PEFT's kaiming_uniform(a=√5)). Only A and B train; the base weights never change.
 */
export const LORA_TARGETS = ['attn', 'mlp'] as const
export type LoraTarget = (typeof LORA_TARGETS)[number]

export const loraSpecSchema = z
  .object({
    rank: z.number().int().positive(),
    alpha: z.number().positive(),
    targets: z.array(z.enum(LORA_TARGETS)).min(1),
    dropout: z.number().gte(0).lt(1),
  })
  .strict()
export type LoraSpec = z.infer<typeof loraSpecSchema>

export const DEFAULT_LORA: LoraSpec = {rank: 8, alpha: 16, targets: ['attn', 'mlp'], dropout: 0}

/** The dense weights each target adapts, per layer. */
const TARGET_WEIGHTS: Record<LoraTarget, string[]> = {attn: ['attn.wqkv', 'attn.wo'], mlp: ['mlp.w1', 'mlp.w2']}

/** scale = alpha / rank: the factor on A·B. */
export function loraScale(spec: LoraSpec): number {
  return spec.alpha / spec.rank
}

/** Names of the adapted base weights (e.g. `h.0.attn.wqkv`) in a fixed order. */
export function adaptedWeights(config: GptConfig, spec: LoraSpec): string[] {
  const names: string[] = []
  for (let l = 0; l < config.nLayers; l++) {
    for (const target of LORA_TARGETS) if (spec.targets.includes(target)) for (const w of TARGET_WEIGHTS[target]) names.push(`h.${l}.${w}`)
  }
  return names
}

/** Shape of a base dense weight [Din, Dout] by name. */
function denseShape(config: GptConfig, name: string): [number, number] {
  const D = config.dModel
  if (name.endsWith('attn.wqkv')) return [D, 3 * D]
  if (name.endsWith('attn.wo')) return [D, D]
  if (name.endsWith('mlp.w1')) return [D, 4 * D]
  if (name.endsWith('mlp.w2')) return [4 * D, D]
  throw new Error(`${name} is not a dense weight LoRA adapts`)
}

/** Every adapter parameter's name and shape: `<weight>.lora_a` [Din, r] then `<weight>.lora_b` [r, Dout]. */
export function adapterShapes(config: GptConfig, spec: LoraSpec): Array<[string, number[]]> {
  return adaptedWeights(config, spec).flatMap((name): Array<[string, number[]]> => {
    const [din, dout] = denseShape(config, name)
    return [[`${name}.lora_a`, [din, spec.rank]], [`${name}.lora_b`, [spec.rank, dout]]]
  })
}

/** Fresh adapters from a seed: A ~ U(−1/√Din, 1/√Din), B = 0. */
export function initAdapters(config: GptConfig, spec: LoraSpec, seed: number): Map<string, Float32Array> {
  const rng = seededRng(deriveSeed(seed, 'lora-init'))
  const out = new Map<string, Float32Array>()
  for (const [name, shape] of adapterShapes(config, spec)) {
    const values = new Float32Array(shape[0] * shape[1])
    if (name.endsWith('.lora_a')) {
      const bound = 1 / Math.sqrt(shape[0])
      for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * bound
    }
    out.set(name, values)
  }
  return out
}

/**
 * Base weights with adapters folded in: W + factor·scale·A·B for every adapted weight (factor 1
 * is the fine-tuned model, 0 the base, between: WiSE-FT interpolation). Other weights are shared,
 * not copied. Accumulates in float64 per element, so merging then scoring matches the unmerged
 * forward pass to float32 rounding.
 */
export function mergeAdapters(config: GptConfig, spec: LoraSpec, base: ReadonlyMap<string, Float32Array>, adapters: ReadonlyMap<string, Float32Array>, factor = 1): Map<string, Float32Array> {
  const merged = new Map(base)
  const s = factor * loraScale(spec)
  const r = spec.rank
  for (const name of adaptedWeights(config, spec)) {
    const [din, dout] = denseShape(config, name)
    const W = base.get(name), A = adapters.get(`${name}.lora_a`), B = adapters.get(`${name}.lora_b`)
    if (!W || !A || !B) throw new Error(`adapter or base weight missing for ${name}`)
    const out = new Float32Array(W.length)
    const row = new Float64Array(dout)
    for (let i = 0; i < din; i++) {
      row.fill(0)
      for (let k = 0; k < r; k++) {
        const a = A[i * r + k]
        if (a === 0) continue
        for (let j = 0; j < dout; j++) row[j] += a * B[k * dout + j]
      }
      for (let j = 0; j < dout; j++) out[i * dout + j] = W[i * dout + j] + s * row[j]
    }
    merged.set(name, out)
  }
  return merged
}

/**
 * WiSE-FT (Wortsman et al. 2022) for full fine-tunes: θ_base + α(θ_ft − θ_base) for every
 * weight. α = 1 returns the fine-tuned weights themselves, α = 0 the base weights themselves.
 */
export function interpolateWeights(base: ReadonlyMap<string, Float32Array>, tuned: ReadonlyMap<string, Float32Array>, alpha: number): Map<string, Float32Array> {
  if (alpha === 1) return new Map(tuned)
  if (alpha === 0) return new Map(base)
  const out = new Map<string, Float32Array>()
  for (const [name, t] of tuned) {
    const b = base.get(name)
    if (!b || b.length !== t.length) throw new Error(`base weight ${name} missing or of another size`)
    const v = new Float32Array(t.length)
    for (let i = 0; i < t.length; i++) v[i] = b[i] + alpha * (t[i] - b[i])
    out.set(name, v)
  }
  return out
}
