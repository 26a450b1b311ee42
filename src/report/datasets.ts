import {plural} from '../util/plural.js'
import {renderTable} from './table.js'
import {type CohortCount, cohortsByRole} from '../datasets/cohorts.js'
import {displayPath} from '../datasets/resolve.js'
import type {DatasetListing} from '../datasets/list.js'
import type {VerifyReport} from '../datasets/verify.js'

/** Cohorts of one role as lines `cohort (n)`, for a table cell. */
function roleCell(counts: Record<string, CohortCount>, role: 'target' | 'ood' | 'other'): string | string[] {
  const list = cohortsByRole(counts)[role]
  return list.length === 0 ? '–' : list.map((c) => `${c.cohort} (${c.records})`)
}

/** The table of `lrgate datasets list`: one row per dataset version, cohorts grouped by role. */
export function datasetsTable(listings: readonly DatasetListing[], cwd = process.cwd()): string {
  return renderTable(
    ['dataset', 'records', 'target', 'ood', 'other', 'hash', 'source'],
    listings.map((d) => {
      const where = d.source === 'local' ? displayPath(d.path, cwd) : d.shadowed ? 'shipped (hidden by ./datasets)' : 'shipped'
      if (d.status === 'invalid') return [d.ref, '–', 'INVALID: see below', '', '', '–', where]
      return [d.ref, String(d.records), roleCell(d.cohorts!, 'target'), roleCell(d.cohorts!, 'ood'), roleCell(d.cohorts!, 'other'), d.hash!.slice(0, 12), where]
    }),
    [1],
  )
}

/** What `lrgate datasets verify` prints when everything matches. */
export function verifyLines(report: VerifyReport, cwd = process.cwd()): string[] {
  const cohorts = Object.entries(report.cohorts).map(([c, {role, records}]) => `${c} (${role}) ${records}`)
  return [
    `OK ${report.ref} (${displayPath(report.path, cwd)}): ${report.files.length === 1 ? '1 file matches' : `${report.files.length} files match`} the manifest, ${plural(report.records, 'record')} valid`,
    `cohorts: ${cohorts.join(', ')}`,
    `hash: ${report.hash}`,
  ]
}
