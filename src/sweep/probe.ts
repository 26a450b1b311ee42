import type {GateRule} from '../config/eval-schema.js'
import type {Dataset, DatasetRecord} from '../datasets/types.js'
import {cohortMatcher} from '../datasets/cohort-glob.js'
import {deriveSeed, seededRng} from '../util/rng.js'

/**
 * The out-of-domain probe early stopping watches: a seeded sample of the eval dataset's `ood`
 * records (the cohorts the gate protects), scored by NLL only — cheap, and the same forgetting
 * the gate will measure on the whole set.
 */
export function probeRecords(dataset: Dataset, count: number, seed: number): DatasetRecord[] {
  const ood = dataset.records.filter((r) => dataset.manifest.cohorts[r.cohort]?.role === 'ood')
  const rng = seededRng(deriveSeed(seed, 'probe'))
  const keyed = ood.map((r, i) => ({r, i, k: rng.next()}))
  return keyed.sort((a, b) => a.k - b.k).slice(0, count).sort((a, b) => a.i - b.i).map((x) => x.r)
}

/** The relative perplexity rise the gate allows on out-of-domain cohorts, if a rule sets one. */
export function probeLimit(rules: readonly GateRule[], dataset: Dataset): number | null {
  const ood = Object.entries(dataset.manifest.cohorts).filter(([, c]) => c.role === 'ood').map(([name]) => name)
  const limits = rules
    .filter((r) => r.metric === 'perplexity' && r.relative === true && r.maxRise !== undefined)
    .filter((r) => ood.some(cohortMatcher(r.cohorts ?? '*')))
    .map((r) => r.maxRise!)
  return limits.length === 0 ? null : Math.min(...limits)
}
