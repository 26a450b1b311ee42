/**
 * Cohort globs as config writes them: `*` matches any run of characters, `?` one character,
 * everything else itself. `"ood:*"` matches `ood:animal` and `ood:brown-news`.
 *
 * @example cohortMatcher('ood:*')('ood:animal') // true
 */
export function cohortMatcher(glob: string): (cohort: string) => boolean {
  const source = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.+()[\]{}|/]/g, '\\$&')))
    .join('')
  const re = new RegExp(`^${source}$`)
  return (cohort) => re.test(cohort)
}
