import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let root: string | undefined

/**
 * The folder holding lrgate's package.json (and the shipped datasets/, models/, native/), found by
 * walking up from this module: works from src/ under tsx and from dist/src/ when compiled.
 */
export function packageRoot(): string {
  if (root !== undefined) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as {name?: string}).name === 'lrgate') {
      root = dir
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the lrgate package root above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}

/** Shipped folders under the package root. */
export const paths = {
  models: (): string => join(packageRoot(), 'models'),
  datasets: (): string => join(packageRoot(), 'datasets'),
}
