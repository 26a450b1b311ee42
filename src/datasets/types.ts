/**
 * The dataset format of DESIGN.md, as the rest of lrgate sees it once loaded and validated.
 * src/datasets/ owns reading and checking; everything else consumes these types.
 */

export type CohortRole = 'target' | 'ood' | 'other'

export interface CohortInfo {
  role: CohortRole
  description: string
}

export interface DatasetManifest {
  name: string
  version: string
  description: string
  license: string
  source: string
  cohorts: Record<string, CohortInfo>
  /** JSONL file name (relative to the dataset folder) → sha256 hex of its bytes. */
  files: Record<string, string>
  /** Free-form extras a builder may add (split rule, counts); never interpreted. */
  [extra: string]: unknown
}

export interface DatasetRecord {
  id: string
  cohort: string
  input?: string
  reference?: string
  context?: string
  text?: string
  meta?: Record<string, unknown>
}

export interface Dataset {
  manifest: DatasetManifest
  /** The folder it was read from (absolute). */
  dir: string
  /** `name@version` */
  ref: string
  /** sha256 over the sorted `file:sha256` lines of the manifest: the identity the store keeps. */
  hash: string
  records: DatasetRecord[]
}
