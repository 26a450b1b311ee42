import type {EvaluatorFactory} from './types.js'

/**
 * `exact-match`: 1 when the output equals the reference (both trimmed; `ignoreCase` folds case), else 0.
 * A record fails on 0 unless the config sets another threshold.
 */
export const exactMatch: EvaluatorFactory = (options) => {
  const fold = (s: string) => (options.ignoreCase ? s.trim().toLowerCase() : s.trim())
  return {
    name: 'exact-match',
    description: 'output equals reference',
    needs: ['output', 'reference'],
    direction: 'higher',
    threshold: options.threshold ?? 1,
    aggregation: 'mean',
    score: (record) => (fold(record.output ?? '') === fold(record.reference ?? '') ? 1 : 0),
  }
}
