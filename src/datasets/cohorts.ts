import type {CohortRole, Dataset} from './types.js'

export interface CohortCount {
  role: CohortRole
  records: number
}

/**
 * Every cohort the manifest declares (in its order) with its role and record count; the shape the
 * store keeps in `datasets.cohorts`.
 *
 * @example cohortCounts(ds) // {"target:food": {role: "target", records: 130}, …}
 */
export function cohortCounts(dataset: Pick<Dataset, 'manifest' | 'records'>): Record<string, CohortCount> {
  const out: Record<string, CohortCount> = {}
  for (const [cohort, info] of Object.entries(dataset.manifest.cohorts)) out[cohort] = {role: info.role, records: 0}
  for (const record of dataset.records) out[record.cohort].records++
  return out
}

/** Cohort names grouped by role, each with its count: for tables and summaries. */
export function cohortsByRole(counts: Record<string, CohortCount>): Record<CohortRole, Array<{cohort: string; records: number}>> {
  const out: Record<CohortRole, Array<{cohort: string; records: number}>> = {target: [], ood: [], other: []}
  for (const [cohort, {role, records}] of Object.entries(counts)) out[role].push({cohort, records})
  return out
}
