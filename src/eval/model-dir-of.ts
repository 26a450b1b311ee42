import {dirname} from 'node:path'

import {packageRoot} from '../paths.js'
import type {Store} from '../store/db.js'
import type {EvaluationRow} from '../store/evaluations.js'
import {relocateDir} from '../util/relocate.js'

/**
 * The model folder an evaluation was made from, on this machine: its stored path, or the same
 * folder restored beside the database, under the working directory or in lrgate's own package
 * (a CI runner that brought back the database and the promoted model's folder). Null when gone.
 */
export function modelDirOf(store: Store, row: EvaluationRow, cwd = process.cwd()): string | null {
  const roots = [...(store.file === ':memory:' ? [] : [dirname(store.file)]), cwd, packageRoot()]
  return relocateDir(row.modelDir, roots, 'config.json')
}
