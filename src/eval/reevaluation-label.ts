/**
 * The label of an evaluation re-scored on another dataset version: `<label>@<name@version>`. Its own
 * module so `lrgate check` can name a re-evaluation without loading the evaluators.
 */
export function reevaluationLabel(label: string, datasetRef: string): string {
  return `${label}@${datasetRef}`
}
