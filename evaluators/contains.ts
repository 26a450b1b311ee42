import type {EvaluatorFactory} from './types.js'

/**
 * `contains`: the share of the `value` strings the output contains (1 when all appear; a single
 * value scores 0 or 1). Without `value` the output must contain the reference.
 * A record fails below 1 unless the config sets another threshold.
 */
export const contains: EvaluatorFactory = (options) => {
  const fold = (s: string) => (options.ignoreCase ? s.toLowerCase() : s)
  const values = options.value === undefined ? undefined : [options.value].flat()
  return {
    name: 'contains',
    description: values === undefined ? 'output contains the reference' : `output contains ${values.map((v) => JSON.stringify(v)).join(', ')}`,
    needs: values === undefined ? ['output', 'reference'] : ['output'],
    direction: 'higher',
    threshold: options.threshold ?? 1,
    aggregation: 'mean',
    score: (record) => {
      const output = fold(record.output ?? '')
      const wanted = values ?? [record.reference ?? '']
      const found = wanted.filter((v) => output.includes(fold(v)))
      return {value: found.length / wanted.length, reason: found.length < wanted.length ? `missing ${wanted.filter((v) => !found.includes(v)).map((v) => JSON.stringify(v)).join(', ')}` : undefined}
    },
  }
}
