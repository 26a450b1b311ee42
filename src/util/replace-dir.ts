import {existsSync, renameSync, rmSync} from 'node:fs'

/**
 * Puts the complete folder `tmp` in place of `dir` so that a reader never sees a half-deleted
 * folder: the old one is first renamed aside (atomic), the new one renamed in (atomic), then the
 * old one removed. A reader sees the old folder whole, no folder for an instant, or the new one
 * whole; deleting `dir` in place first would let a reader find some of its files gone.
 */
export function replaceDir(tmp: string, dir: string): void {
  const old = `${dir}.old-${process.pid}`
  rmSync(old, {recursive: true, force: true})
  if (existsSync(dir)) renameSync(dir, old)
  renameSync(tmp, dir)
  rmSync(old, {recursive: true, force: true})
}
