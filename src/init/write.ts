import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {CONFIG_FILES} from '../config/defaults.js'
import {InputError} from '../errors.js'
import {starterConfigYaml} from './config-template.js'
import {WORKFLOW_FILE, workflowYaml} from './workflow-template.js'
import {hint} from '../util/invocation.js'

/** The starter config's file name: the first one lrgate looks for. */
export const CONFIG_FILE = CONFIG_FILES[0]

export interface InitOptions {
  /** The project folder (created when missing). */
  dir: string
  /** Overwrite files that exist. */
  force?: boolean
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
    {path: join(dir, WORKFLOW_FILE), text: workflowYaml()},
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

/** What to do after `lrgate init`, one line each. */
export const NEXT_STEPS = [
  `Edit ${CONFIG_FILE}: your base model, datasets (name@version), learning rates and gate rules.`,
  'Run "lrgate sweep" locally to see the candidates side by side and the recommended learning rate.',
  `Commit both files. In ${WORKFLOW_FILE}, make the gate job produce your PR's candidate outputs (CANDIDATE_OUTPUTS).`,
  'Run the retrain job once by hand (Actions > lrgate > Run workflow): its first pass promotes the baseline the PR gate compares with.',
  'Point the repository variable LRGATE_TRAIN_DATA (or datasets.train) at each new data version; the weekly job retrains on it.',
]
