import {existsSync, readdirSync, renameSync, rmSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {processAlive} from './process-alive.js'

/**
 * Puts the complete folder `tmp` in place of `dir` so that a reader never sees a half-deleted
 * folder: the old one is first renamed aside (atomic), the new one renamed in (atomic), then the
 * old one removed. A reader sees the old folder whole, no folder for an instant, or the new one
 * whole; deleting `dir` in place first would let a reader find some of its files gone. A process
 * killed in between leaves `<dir>.old-<pid>` / `<dir>.tmp-<pid>`: settleReplacedDir puts that right.
 */
export function replaceDir(tmp: string, dir: string): void {
  const old = `${dir}.old-${process.pid}`
  rmSync(old, {recursive: true, force: true})
  if (existsSync(dir)) renameSync(dir, old)
  renameSync(tmp, dir)
  rmSync(old, {recursive: true, force: true})
}

/**
 * Settles what a killed replaceDir (or a killed writer of `<dir>.tmp-<pid>`) left beside `dir`, for
 * processes no longer alive: when `dir` itself is missing (killed between the two renames), the
 * previous complete folder `<dir>.old-<pid>` is renamed back, since the new one may be incomplete;
 * every other leftover is removed (a double Ctrl-C left a 6.5 MB checkpoint.old-<pid> beside the
 * checkpoint). Leftovers of a live process are left alone. Returns the leftovers removed or restored.
 */
export function settleReplacedDir(dir: string): string[] {
  const parent = dirname(dir)
  if (!existsSync(parent)) return []
  const name = basename(dir)
  const leftovers = readdirSync(parent)
    .map((f) => ({f, m: f.startsWith(`${name}.`) ? /^(old|tmp)-(\d+)$/.exec(f.slice(name.length + 1)) : null}))
    .filter((x): x is {f: string; m: RegExpExecArray} => x.m !== null && Number(x.m[2]) !== process.pid && !processAlive(Number(x.m[2])))
  const settled: string[] = []
  const old = leftovers.find((x) => x.m[1] === 'old')
  if (old !== undefined && !existsSync(dir)) {
    renameSync(join(parent, old.f), dir)
    settled.push(old.f)
  }
  for (const {f} of leftovers) {
    if (settled.includes(f)) continue
    rmSync(join(parent, f), {recursive: true, force: true})
    settled.push(f)
  }
  return settled
}
