import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'

import {CONFIG_FILES} from '../config/defaults.js'
import {InputError} from '../errors.js'
import {starterConfigYaml} from './config-template.js'
import {type LrgateInstall, WORKFLOW_FILE, workflowYaml} from './workflow-template.js'
import {hint} from '../util/invocation.js'

/** The starter config's file name: the first one lrgate looks for. */
export const CONFIG_FILE = CONFIG_FILES[0]

export interface InitOptions {
  /** The project folder (created when missing). */
  dir: string
  /** Overwrite files that exist. */
  force?: boolean
  /**
   * Where CI installs lrgate from: a tarball (path inside `dir`, or URL) or a git URL, installed with
   * `npm install -g`. Without it, `dir/package.json` must list lrgate as a dependency (`npm ci`).
   */
  installFrom?: string
  /** The folder a relative `installFrom` path is relative to [default: the working directory]. */
  cwd?: string
}

export interface InitResult {
  /** Absolute paths of the files written, config first. */
  written: string[]
}

/**
 * Writes the starter config and the CI workflow into `dir`. Without `force`, an existing file is an
 * InputError naming it, and nothing is written.
 *
 * @example initProject({dir: process.cwd()}).written // ['/repo/lrgate.config.yaml', '/repo/.github/workflows/lrgate.yml']
 */
export function initProject(options: InitOptions): InitResult {
  const dir = resolve(options.dir)
  const files = [
    {path: join(dir, CONFIG_FILE), text: starterConfigYaml()},
    {path: join(dir, WORKFLOW_FILE), text: workflowYaml(lrgateInstall(dir, options.installFrom, options.cwd ?? process.cwd()))},
  ]
  if (options.force !== true) {
    const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path)
    if (existing.length > 0) {
      throw new InputError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written — run "${hint('init --force')}" to overwrite.`)
    }
  }
  for (const f of files) {
    mkdirSync(dirname(f.path), {recursive: true})
    writeFileSync(f.path, f.text)
  }
  return {written: files.map((f) => f.path)}
}

/**
 * How the written workflow installs lrgate. A URL (`https:`, `git+https:`, `github:`, `git@…`) is
 * used as given; a local tarball must lie inside the project folder (CI sees only what the
 * repository holds) and is written relative to it. InputError naming what to give otherwise.
 *
 * @example lrgateInstall('/repo', 'vendor/lrgate-0.1.0.tgz', '/repo') // {kind: 'global', source: './vendor/lrgate-0.1.0.tgz'}
 */
export function lrgateInstall(dir: string, installFrom: string | undefined, cwd: string): LrgateInstall {
  if (installFrom === undefined) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {dependencies?: object; devDependencies?: object}
        if ('lrgate' in {...pkg.dependencies, ...pkg.devDependencies}) return {kind: 'dependency'}
      } catch {
        // not JSON: treated as "no lrgate dependency" below
      }
    }
    throw new InputError(
      `lrgate is not on the npm registry and ${dir} has no package.json listing it, so say where CI installs it from: lrgate init --install-from <tarball path or URL, or git URL> (make the tarball with "npm pack" in lrgate's clone and commit it, e.g. as vendor/lrgate-0.1.0.tgz).`,
    )
  }
  const source = installFrom.trim()
  if (source === '' || /[\n\r]/.test(source)) throw new InputError('--install-from: give a tarball path or URL, or a git URL, on one line.')
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) || /^[\w.-]+@[\w.-]+:/.test(source)) return {kind: 'global', source}
  const file = resolve(cwd, source)
  if (!existsSync(file)) throw new InputError(`--install-from ${source}: no such file (${file}); give a tarball made by "npm pack", or a URL.`)
  const rel = relative(dir, file)
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(`--install-from ${source}: ${file} is outside ${dir}, and CI sees only what the repository holds; copy the tarball into it (e.g. vendor/) and commit it, or give a URL.`)
  }
  return {kind: 'global', source: `./${rel.split(sep).join('/')}`}
}

/** What to do after `lrgate init`, one line each. */
export const NEXT_STEPS = [
  `Edit ${CONFIG_FILE}: your base model, datasets (name@version), learning rates and gate rules.`,
  'Run "lrgate sweep" locally to see the candidates side by side and the recommended learning rate.',
  `Commit both files. In ${WORKFLOW_FILE}, make the gate job produce your PR's candidate outputs (CANDIDATE_OUTPUTS).`,
  'Run the retrain job once by hand (Actions > lrgate > Run workflow): its first pass promotes the baseline the PR gate compares with.',
  'Point the repository variable LRGATE_TRAIN_DATA (or datasets.train) at each new data version; the weekly job retrains on it.',
]
