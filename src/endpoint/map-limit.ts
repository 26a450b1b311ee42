/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order. The
 * first rejection rejects the whole map (calls already started are left to finish; no new ones start).
 *
 * @example await mapLimit([1, 2, 3], 2, async (x) => x * 2) // [2, 4, 6]
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++
      try {
        out[i] = await fn(items[i], i)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(limit, items.length))}, worker))
  return out
}
