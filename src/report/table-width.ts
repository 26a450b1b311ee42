/**
 * How wide tables may be: no line wider than the terminal (120 columns when stdout is not one),
 * unless `--wide`. The command layer sets it once (setTableWidth); renderers read tableLayout.
 */
let limit: number | null | undefined

/** `null`: no limit (--wide); a number: the columns; undefined: the terminal's width, else 120. */
export function setTableWidth(width: number | null | undefined): void {
  limit = width
}

/** The widest a table line may be, or Infinity with --wide. */
export function tableWidth(): number {
  if (limit === null) return Number.POSITIVE_INFINITY
  if (limit !== undefined) return limit
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined
  return columns !== undefined && columns > 20 ? columns : 120
}

type Cell = string | {content: string; colSpan?: number}

const lines = (text: string) => text.split('\n')
const longestLine = (text: string) => Math.max(0, ...lines(text).map((l) => [...l].length))
const longestWord = (text: string) => Math.max(0, ...text.split(/\s+/).map((w) => [...w].length))

/**
 * cli-table3 options that keep a table within `width` (default tableWidth()): undefined when it
 * fits as it is; else column widths, shrunk widest-first, with cells wrapped inside them — at word
 * boundaries while every column still holds its longest word, else anywhere (nothing is cut off).
 * Widths count cli-table3's one-space padding on each side and one border per column plus one.
 *
 * @example tableLayout(['rule', 'cohort'], [['relevance maxDrop 0.02', 'ood:animal']], 20)
 */
export function tableLayout(head: readonly string[], rows: readonly (readonly Cell[])[], width = tableWidth()): {colWidths: number[]; wordWrap: true; wrapOnWordBoundary: boolean} | undefined {
  const n = head.length
  const natural = head.map((h) => longestLine(h) + 2)
  const words = head.map((h) => longestWord(h) + 2)
  for (const row of rows) {
    for (const [i, cell] of row.entries()) {
      if (typeof cell !== 'string' && (cell.colSpan ?? 1) > 1) continue
      const text = typeof cell === 'string' ? cell : cell.content
      natural[i] = Math.max(natural[i] ?? 0, longestLine(text) + 2)
      words[i] = Math.max(words[i] ?? 0, longestWord(text) + 2)
    }
  }
  const total = (ws: number[]) => ws.reduce((a, b) => a + b, 0) + n + 1
  if (total(natural) <= width) return undefined
  const widths = [...natural]
  const MIN = 5
  // First wrap at word boundaries only (no column narrower than its longest word), then, if that is
  // not enough, let the widest columns break words too.
  for (const floor of [(i: number) => Math.max(MIN, words[i]), () => MIN]) {
    while (total(widths) > width) {
      let widest = -1
      for (let i = 0; i < n; i++) if (widths[i] > floor(i) && (widest < 0 || widths[i] > widths[widest])) widest = i
      if (widest < 0) break
      widths[widest]--
    }
  }
  return {colWidths: widths, wordWrap: true, wrapOnWordBoundary: widths.every((w, i) => w >= words[i])}
}
