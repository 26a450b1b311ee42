import {existsSync} from 'node:fs'
import {isAbsolute, join, sep} from 'node:path'

/**
 * Finds a folder recorded as an absolute path on another machine (or in another checkout): the
 * stored path when it exists, else the first of its tails — `runs/3-ab12/lr-3e-5/model`,
 * `lr-3e-5/model`, … (two path segments at least) — that exists under one of `roots` and holds
 * `marker`. A CI runner that restored the database and the promoted model's folder into a fresh
 * workspace (another absolute path) finds the model again this way. Null when nothing matches.
 *
 * @example relocateDir('/home/runner/a/.lrgate/runs/3-ab12/lr-3e-5/model', ['/tmp/b/.lrgate'], 'model.json') // '/tmp/b/.lrgate/runs/3-ab12/lr-3e-5/model'
 */
export function relocateDir(stored: string | null, roots: string[], marker: string): string | null {
  if (stored === null) return null
  if (existsSync(stored)) return stored
  if (!isAbsolute(stored)) return null
  const parts = stored.split(sep).filter((p) => p !== '')
  for (let start = 0; start <= parts.length - 2; start++) {
    const tail = parts.slice(start)
    for (const root of roots) {
      const candidate = join(root, ...tail)
      if (existsSync(join(candidate, marker))) return candidate
    }
  }
  return null
}
