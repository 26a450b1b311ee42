/** The steps a table shows, and how they were picked. */
export interface RowPick {
  steps: number[]
  /** Every `stride`-th step is shown between the first and last few; 1 when all are. */
  stride: number
  all: boolean
}

/** The smallest of 1, 2, 5, 10, 20, 50, … that is at least `x`. */
function niceStride(x: number): number {
  let decade = 1
  while (decade * 10 <= x) decade *= 10
  for (const m of [1, 2, 5, 10]) if (m * decade >= x) return m * decade
  return 10 * decade
}

/**
 * The rows of a step → lr table: all steps when there are at most `maxRows`, else the first and
 * last `edge` steps, every k-th step (k a round number giving about `maxRows` rows) and the
 * `marks` (e.g. the last warmup step and the first one after it).
 *
 * @example pickRows(1000).stride // 50
 */
export function pickRows(total: number, options: {maxRows?: number; edge?: number; marks?: number[]} = {}): RowPick {
  const maxRows = options.maxRows ?? 40
  const edge = options.edge ?? 3
  const all = Array.from({length: total}, (_, t) => t)
  if (total <= maxRows) return {steps: all, stride: 1, all: true}
  const stride = niceStride(total / (maxRows - 2 * edge))
  const picked = new Set<number>()
  for (let t = 0; t < edge; t++) picked.add(t)
  for (let t = 0; t < total; t += stride) picked.add(t)
  for (let t = total - edge; t < total; t++) picked.add(t)
  for (const t of options.marks ?? []) if (t >= 0 && t < total) picked.add(t)
  return {steps: [...picked].sort((a, b) => a - b), stride, all: false}
}
