import type {Evaluator} from '../../evaluators/types.js'
import type {EvaluatorDescriptor} from './configured-evaluator.js'

/** The version an evaluator or a stored descriptor stands for: its `version`, else "1" (before versions existed). */
export function evaluatorVersion(e: Pick<Evaluator, 'version'> | Pick<EvaluatorDescriptor, 'version'>): string {
  return e.version ?? '1'
}

/**
 * Metrics whose evaluator versions differ between two evaluations' descriptor lists (same metric,
 * different scoring rule): their scores mean different things and must not be compared.
 *
 * @example versionMismatches([{metric: 'relevance', version: '2', …}], [{metric: 'relevance', …}]) // [{metric: 'relevance', a: '2', b: '1'}]
 */
export function versionMismatches(
  a: readonly EvaluatorDescriptor[],
  b: readonly EvaluatorDescriptor[],
): {metric: string; a: string; b: string}[] {
  const of = new Map(b.map((d) => [d.metric, evaluatorVersion(d)]))
  return a.flatMap((d) => {
    const other = of.get(d.metric)
    return other === undefined || other === evaluatorVersion(d) ? [] : [{metric: d.metric, a: evaluatorVersion(d), b: other}]
  })
}
