import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {InputError} from '../errors.js'
import {hint} from '../util/invocation.js'
import {GITHUB_MATRIX_FILE, githubMatrixYaml} from './ci-github-matrix.js'
import {KUBERNETES_FILES, kubernetesManifests} from './ci-kubernetes.js'
import {SLURM_FILE, slurmScript} from './ci-slurm.js'
import {lrgateInstall} from './write.js'

/** The engines `lrgate init --ci` writes a sharded-sweep template for. */
export const CI_ENGINES = ['github-matrix', 'kubernetes', 'slurm'] as const
export type CiEngine = (typeof CI_ENGINES)[number]

export interface CiOptions {
  dir: string
  engine: CiEngine
  /** shards of the sweep (matrix jobs, Indexed Job completions, array tasks), 1 … 256 */
  shards: number
  force?: boolean
  /** github-matrix only: where the runners install lrgate from (as `lrgate init --install-from`) */
  installFrom?: string
  cwd?: string
}

/**
 * Writes the template of one engine for a sweep sharded `shards` ways (`sweep --shard`, then
 * `lrgate merge`; docs/init.md): a GitHub Actions matrix workflow, Kubernetes Indexed Job manifests,
 * or a Slurm `sbatch --array` script (executable). Without `force`, an existing file is an InputError
 * and nothing is written. Returns the absolute paths written.
 */
export function initCi(options: CiOptions): {written: string[]} {
  const dir = resolve(options.dir)
  if (!Number.isInteger(options.shards) || options.shards < 1 || options.shards > 256) throw new InputError(`--shards ${options.shards}: give a whole number of shards from 1 to 256.`)
  let files: Array<{path: string; text: string; mode?: number}>
  if (options.engine === 'github-matrix') {
    files = [{path: join(dir, GITHUB_MATRIX_FILE), text: githubMatrixYaml(lrgateInstall(dir, options.installFrom, options.cwd ?? process.cwd()), options.shards)}]
  } else if (options.engine === 'kubernetes') {
    const k = kubernetesManifests(options.shards)
    files = [{path: join(dir, KUBERNETES_FILES.sweep), text: k.sweep}, {path: join(dir, KUBERNETES_FILES.merge), text: k.merge}]
  } else {
    files = [{path: join(dir, SLURM_FILE), text: slurmScript(options.shards), mode: 0o755}]
  }
  if (options.force !== true) {
    const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path)
    if (existing.length > 0) throw new InputError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written — run "${hint(`init --ci ${options.engine} --force`)}" to overwrite.`)
  }
  for (const f of files) {
    mkdirSync(dirname(f.path), {recursive: true})
    writeFileSync(f.path, f.text, f.mode === undefined ? {} : {mode: f.mode})
  }
  return {written: files.map((f) => f.path)}
}
