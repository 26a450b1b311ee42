/** The base model's colour: a neutral grey, so candidates stand out against it. */
export const BASE_COLOR = '#79706e'

// Tableau 10 without its grey: distinct hues that stay readable when printed.
const CANDIDATE_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f']

/** A colour scale shared by every chart, so a candidate has the same colour everywhere. */
export interface ModelColors {
  domain: string[]
  range: string[]
}

/**
 * Colours for the base model (when named) and each candidate label in order; past nine candidates the
 * hues repeat.
 *
 * @example modelColors('base', ['lr-1e-4', 'lr-1e-3']) // {domain: ['base', 'lr-1e-4', 'lr-1e-3'], range: ['#79706e', '#4e79a7', '#f28e2b']}
 */
export function modelColors(base: string | null, candidates: readonly string[]): ModelColors {
  const domain = base === null ? [...candidates] : [base, ...candidates]
  const range = domain.map((label, i) => (label === base && i === 0 ? BASE_COLOR : CANDIDATE_COLORS[(base === null ? i : i - 1) % CANDIDATE_COLORS.length]))
  return {domain, range}
}

/** The same scale restricted to some labels (a chart whose legend should list only those). */
export function restrictColors(colors: ModelColors, labels: readonly string[]): ModelColors {
  const keep = colors.domain.map((label, i) => ({label, color: colors.range[i]})).filter((c) => labels.includes(c.label))
  return {domain: keep.map((c) => c.label), range: keep.map((c) => c.color)}
}
