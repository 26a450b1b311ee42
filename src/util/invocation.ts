import {accessSync, constants, realpathSync} from 'node:fs'
import {delimiter, isAbsolute, join, relative, sep} from 'node:path'

import {packageRoot} from '../paths.js'

let cached: string | undefined

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path)
  } catch {
    return null
  }
}

/** The first `lrgate` executable on PATH, or null. */
function lrgateOnPath(env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, 'lrgate')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return null
}

const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)

/**
 * How to run this lrgate again from where it was started, for the commands printed in hints
 * ("Ship it with: …"): `lrgate` when the `lrgate` on PATH is this very installation (a global
 * install, `npm link`, or node_modules/.bin inside npm scripts), `npx lrgate` under npx, else
 * `node <path of bin/run.js relative to the working directory>`.
 *
 * @example lrgateCommand() // 'lrgate' after `npm link`; 'node ../lrgate/bin/run.js' from a clone without it
 */
export function lrgateCommand(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (cached !== undefined && env === process.env && cwd === process.cwd()) return cached
  const bin = join(packageRoot(), 'bin', 'run.js')
  const onPath = lrgateOnPath(env)
  let command: string
  if (onPath !== null && realpathOrNull(onPath) === realpathOrNull(bin)) command = 'lrgate'
  else if (env.npm_command === 'exec') command = 'npx lrgate'
  else {
    // A short relative path when the clone is near; the absolute path when it is far away.
    const rel = relative(cwd, bin)
    const ups = rel.split(sep).filter((part) => part === '..').length
    command = `node ${quote(ups > 2 || isAbsolute(rel) ? bin : rel)}`
  }
  if (env === process.env && cwd === process.cwd()) cached = command
  return command
}

/**
 * A command line to print in a hint: this lrgate (see lrgateCommand), the given words, and the
 * `--db` the current process was given on its command line, so the hint reads the same database.
 *
 * @example hint('report 3') // 'lrgate report 3 --db runs/weekly.db' after `lrgate sweep --db runs/weekly.db`
 */
export function hint(words: string, argv: string[] = process.argv): string {
  const at = argv.findIndex((a) => a === '--db' || a.startsWith('--db='))
  const db = at === -1 ? undefined : argv[at].startsWith('--db=') ? argv[at].slice(5) : argv[at + 1]
  return `${lrgateCommand()} ${words}${db === undefined ? '' : ` --db ${quote(db)}`}`
}
