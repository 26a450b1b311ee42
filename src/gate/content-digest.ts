import {createHash} from 'node:crypto'

import type {StoredRecord} from '../store/evaluations.js'

/**
 * A sha256 (hex) of what an evaluation scored: every record's id, cohort, nll, tokens, bytes, fail
 * flag and metric values (reasons excluded: they do not enter any statistic), in record-id order.
 * The gate's bootstrap seed derives from the gate seed and the two digests (see compareEvaluations),
 * never from row ids, so the same pair gives the same interval in any database — after a merge too.
 *
 * @example evaluationDigest(storedRecords(db, 7)) // 'a3f1…' (64 hex characters)
 */
export function evaluationDigest(records: ReadonlyMap<string, StoredRecord>): string {
  const hash = createHash('sha256')
  for (const id of [...records.keys()].sort()) {
    const r = records.get(id)!
    const scores = [...r.scores.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([metric, s]) => [metric, s.value, s.passed])
    hash.update(JSON.stringify([id, r.cohort, r.nll, r.tokens, r.bytes, r.failed, scores]))
    hash.update('\n')
  }
  return hash.digest('hex')
}
