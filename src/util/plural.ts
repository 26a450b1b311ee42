/**
 * "1 candidate", "3 candidates", "1 file matches" — a count with its noun in agreement.
 * `many` defaults to the noun + "s".
 *
 * @example plural(1, 'candidate') // "1 candidate"
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}
