/**
 * A small seeded PRNG (mulberry32): every random choice in lrgate takes one, so runs repeat.
 *
 * @example const rng = seededRng(1234); rng.next(); rng.int(10)
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** Standard normal (Box–Muller). */
  normal(): number
  /** The generator's state, to checkpoint and resume it exactly. */
  state(): number
}

export function seededRng(seed: number, state?: number): Rng {
  let s = (state ?? hashSeed(seed)) >>> 0
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      const u = 1 - next()
      const v = next()
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    },
    state: () => s,
  }
}

/** Spreads small seeds (0, 1, 2 …) over the state space so nearby seeds give unrelated streams. */
function hashSeed(seed: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** Derives a child seed for a named purpose, e.g. deriveSeed(runSeed, 'bootstrap'). */
export function deriveSeed(seed: number, purpose: string): number {
  let h = hashSeed(seed)
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0
  return h >>> 0
}
