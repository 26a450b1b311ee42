import {percentileInterval} from './bootstrap.js'
import {ratioStatistic, type RatioSamples} from './statistic.js'
import {seededRng} from '../util/rng.js'

export interface PairedDelta {
  baseline: number
  candidate: number
  delta: number
  ciLow: number
  ciHigh: number
}

/** Two aligned sample sets (index i is the same record in both) and how to compare them. */
export interface SamplePair {
  baseline: RatioSamples
  candidate: RatioSamples
  /** (candidate − baseline)/baseline instead of candidate − baseline. */
  relative: boolean
}

export interface BootstrapOptions {
  seed: number
  resamples: number
  confidence: number
}

/**
 * Paired percentile bootstrap of candidate − baseline (or the relative change) for several sample
 * pairs over the same records (e.g. every metric of one cohort): each resample draws record indices
 * with replacement once, and every pair computes both of its statistics on that draw.
 *
 * @example pairedDeltas([{baseline: meanSamples([0.5, 0.7]), candidate: meanSamples([0.4, 0.7]), relative: false}], {seed: 1, resamples: 2000, confidence: 0.95})
 */
export function pairedDeltas(pairs: readonly SamplePair[], options: BootstrapOptions): PairedDelta[] {
  if (pairs.length === 0) return []
  const n = pairs[0].baseline.num.length
  for (const p of pairs) {
    if (p.baseline.num.length !== n || p.candidate.num.length !== n) throw new Error(`paired samples differ in length (expected ${n})`)
  }
  const rng = seededRng(options.seed)
  const draw = new Uint32Array(n)
  const stats = pairs.map(() => new Float64Array(options.resamples))
  for (let r = 0; r < options.resamples; r++) {
    for (let k = 0; k < n; k++) draw[k] = rng.int(n)
    for (const [j, p] of pairs.entries()) stats[j][r] = deltaOn(p, draw)
  }
  return pairs.map((p, j) => {
    const [ciLow, ciHigh] = percentileInterval(stats[j], options.confidence)
    const baseline = ratioStatistic(p.baseline)
    const candidate = ratioStatistic(p.candidate)
    return {baseline, candidate, delta: change(p.relative, baseline, candidate), ciLow, ciHigh}
  })
}

/** The paired bootstrap of one sample pair (see pairedDeltas). */
export function pairedDelta(baseline: RatioSamples, candidate: RatioSamples, options: BootstrapOptions & {relative: boolean}): PairedDelta {
  return pairedDeltas([{baseline, candidate, relative: options.relative}], options)[0]
}

/** The delta on one resample, summing both sides in one pass (the gate's hot loop). */
function deltaOn(p: SamplePair, draw: Uint32Array): number {
  const bn = p.baseline.num
  const bd = p.baseline.den
  const cn = p.candidate.num
  const cd = p.candidate.den
  let bNum = 0
  let bDen = 0
  let cNum = 0
  let cDen = 0
  for (let k = 0; k < draw.length; k++) {
    const i = draw[k]
    bNum += bn[i]
    bDen += bd[i]
    cNum += cn[i]
    cDen += cd[i]
  }
  const b = p.baseline.exp ? Math.exp(bNum / bDen) : bNum / bDen
  const c = p.candidate.exp ? Math.exp(cNum / cDen) : cNum / cDen
  return change(p.relative, b, c)
}

/** c − b, or (c − b)/b; a zero baseline gives a relative change of 0 when c is 0 too, else ±Infinity. */
function change(relative: boolean, b: number, c: number): number {
  if (!relative) return c - b
  if (b === 0) return c === 0 ? 0 : c > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY
  return (c - b) / b
}
