/**
 * oclif's error for a flag value its parser refused, as one sentence: oclif writes
 * "Parsing --resamples \n\tExpected an integer but received: abc\nSee more help with --help", which
 * lrgate shows as "--resamples abc: expected an integer.". Null for any other error.
 *
 * @example flagParseMessage('Parsing --seed \n\tExpected an integer but received: 1.5\nSee more help with --help') // '--seed 1.5: expected an integer.'
 */
export function flagParseMessage(message: string): string | null {
  const parsing = /^Parsing --(\S+)\s*\n\s*([^\n]*)/.exec(message)
  if (parsing === null) return null
  const [, flag, reason] = parsing
  const refused = /^Expected (an integer|a valid url)(?: (greater|less) than or equal to (\S+))? but received: (.*)$/.exec(reason.trim())
  if (refused === null) return `--${flag}: ${sentence(reason.trim())}`
  const [, kind, side, bound, value] = refused
  const expected = kind === 'an integer' ? 'an integer' : 'a URL'
  const range = side === undefined ? '' : side === 'greater' ? ` of at least ${bound}` : ` of at most ${bound}`
  return `--${flag} ${value}: expected ${expected}${range}.`
}

/** A parser's reason as the end of a sentence: first letter lower-case, one full stop. */
function sentence(reason: string): string {
  const text = reason === '' ? 'its value was refused' : reason[0].toLowerCase() + reason.slice(1)
  return /[.!?]$/.test(text) ? text : `${text}.`
}
