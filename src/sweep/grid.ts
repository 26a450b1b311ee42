import type {MethodSetting} from '../config/schema.js'
import {positiveNumber} from '../config/flag-numbers.js'
import {InputError} from '../errors.js'
import {DEFAULT_LORA, type LoraSpec} from '../model/lora.js'
import {compactLr} from '../schedule/index.js'

/**
 * The remedy grid: candidates are learning rate × method × replay share × seed (each one a
 * fine-tune) and, for each, every interpolation α < 1 (WiSE-FT: evaluated, not trained).
 */
export type Method = {type: 'full'} | ({type: 'lora'} & LoraSpec)

export interface Grid {
  lrs: number[]
  methods: Method[]
  replay: number[]
  interpolate: number[]
  seeds: number
  /** sweep.ema: each fine-tune's weight average evaluated as its own candidate (alongside) or as the candidate (instead) */
  ema?: 'alongside' | 'instead' | null
}

export interface GridCandidate {
  label: string
  lr: number
  method: Method
  replay: number
  /** 1: the fine-tuned model itself; below 1: base + α (tuned − base) of `parentIndex` */
  interpolate: number
  /** 0-based seed index (the candidate's seed is the plan's seed + this) */
  seedIndex: number
  /** index in the grid of the trained candidate an interpolated (or `+ema`) one is made from */
  parentIndex: number | null
  /** its model holds the moving average of the fine-tune's weights (sweep.ema), not the last weights */
  ema?: boolean
}

/** A config or flag method as settings: `full`, `lora` (defaults), or a LoRA object with some keys. */
export function normalizeMethod(setting: MethodSetting, overrides: {rank?: number; alpha?: number} = {}): Method {
  const type = typeof setting === 'string' ? setting : setting.type
  if (type === 'full') return {type: 'full'}
  const given: {rank?: number; alpha?: number; targets?: LoraSpec['targets']; dropout?: number} = typeof setting === 'string' || setting.type === 'full' ? {} : setting
  const rank = overrides.rank ?? given.rank ?? DEFAULT_LORA.rank
  // alpha follows the rank (alpha = 2·rank, PEFT's common choice) unless set
  const alpha = overrides.alpha ?? given.alpha ?? (overrides.rank !== undefined || given.rank !== undefined ? 2 * rank : DEFAULT_LORA.alpha)
  return {type: 'lora', rank, alpha, targets: given.targets ?? DEFAULT_LORA.targets, dropout: given.dropout ?? DEFAULT_LORA.dropout}
}

/** `--method full,lora`: names only (LoRA settings come from --lora-rank/--lora-alpha or the config). */
export function parseMethodList(text: string): MethodSetting[] {
  const names = text.split(',').map((s) => s.trim())
  for (const n of names) if (n !== 'full' && n !== 'lora') throw new InputError(`--method: "${n}" is not a method; use full, lora or both (--method full,lora).`)
  if (new Set(names).size !== names.length) throw new InputError(`--method lists a method twice (got "${text}").`)
  return names as MethodSetting[]
}

/** A comma list of shares in [lo, hi] (for --replay and --interpolate), no duplicates. */
export function parseShareList(flag: string, text: string, lo: number, hi: number, hiOpen: boolean): number[] {
  const values = text.split(',').map((part) => {
    const v = Number(part.trim())
    if (part.trim() === '' || !Number.isFinite(v) || v < lo || v > hi || (hiOpen && v === hi)) {
      throw new InputError(`--${flag}: "${part.trim()}" is not a number in [${lo}, ${hi}${hiOpen ? ')' : ']'} (got "${text}").`)
    }
    return v
  })
  if (new Set(values).size !== values.length) throw new InputError(`--${flag} lists a value twice (got "${text}").`)
  return values
}

/** `--lora-rank 8` / `--lora-alpha 16`. */
export function parseLoraNumber(flag: 'lora-rank' | 'lora-alpha', text: string): number {
  return positiveNumber(flag, text, flag === 'lora-rank')
}

/** The method part of a label: `lora-r8` (plus `-a<alpha>` when alpha is not 2·rank); nothing for full. */
export function methodTag(method: Method): string | null {
  if (method.type === 'full') return null
  return `lora-r${method.rank}${method.alpha === 2 * method.rank ? '' : `-a${method.alpha}`}`
}

/**
 * Short readable labels: `lr-1e-4`, `lr-1e-4 lora-r8 replay-0.25 wise-0.5 seed-2` (parts only when
 * they differ from plain); an EMA model adds `+ema` before the seed (`lr-1e-4+ema seed-2`), so its
 * seeds still share one configuration label.
 */
export function gridLabel(c: Omit<GridCandidate, 'label' | 'parentIndex'>, seeds: number): string {
  const parts = [`lr-${compactLr(c.lr)}`]
  const tag = methodTag(c.method)
  if (tag) parts.push(tag)
  if (c.replay > 0) parts.push(`replay-${c.replay}`)
  if (c.interpolate < 1) parts.push(`wise-${c.interpolate}`)
  if (c.ema) parts[parts.length - 1] += '+ema'
  if (seeds > 1) parts.push(`seed-${c.seedIndex + 1}`)
  return parts.join(' ')
}

/** Every candidate of the grid, each trained one followed by its interpolations (and its `+ema` candidate with sweep.ema alongside). */
export function expandGrid(grid: Grid): GridCandidate[] {
  const out: GridCandidate[] = []
  const alphas = [...new Set(grid.interpolate.filter((a) => a < 1))].sort((a, b) => b - a)
  for (const method of grid.methods) {
    for (const replay of grid.replay) {
      for (const lr of grid.lrs) {
        for (let seedIndex = 0; seedIndex < grid.seeds; seedIndex++) {
          const trained = {lr, method, replay, interpolate: 1, seedIndex, ema: grid.ema === 'instead'}
          const parentIndex = out.length
          out.push({...trained, label: gridLabel(trained, grid.seeds), parentIndex: null})
          for (const interpolate of alphas) {
            const derived = {...trained, interpolate}
            out.push({...derived, label: gridLabel(derived, grid.seeds), parentIndex})
          }
          if (grid.ema === 'alongside') {
            const averaged = {...trained, ema: true}
            out.push({...averaged, label: gridLabel(averaged, grid.seeds), parentIndex})
          }
        }
      }
    }
  }
  const labels = new Set(out.map((c) => c.label))
  if (labels.size !== out.length) throw new InputError('two candidates of the sweep grid share a label; list each method, replay share and interpolation once.')
  return out
}

/** The group early stopping ranks within: one per (method, replay) — LoRA learns slower and would otherwise be pruned first. */
export function rungGroup(method: string | null, lora: string | null, replay: number | null): string {
  return `${method ?? 'full'}|${lora ?? ''}|${replay ?? 0}`
}
