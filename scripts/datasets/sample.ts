import {deriveSeed, seededRng} from '../../src/util/rng.js'

/**
 * A seeded Fisher–Yates shuffle (a copy). Each purpose gets its own stream, so changing one
 * part of the build does not reshuffle the others.
 *
 * @example shuffled(['a', 'b', 'c'], 7, 'split:noun.food')
 */
export function shuffled<T>(items: readonly T[], seed: number, purpose: string): T[] {
  const rng = seededRng(deriveSeed(seed, purpose))
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/** Byte-wise string order (never locale-dependent), for sorting that must repeat everywhere. */
export function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a), kb = key(b)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  }
}
