import {Args} from '@oclif/core'
import {existsSync} from 'node:fs'

import {LrgateCommand} from '../../cli/base-command.js'
import {verifyLines} from '../../report/datasets.js'
import {verifyDataset} from '../../datasets/verify.js'
import {InputError} from '../../errors.js'
import {openDbReadOnly, resolveDbPath} from '../../store/db.js'
import {findStoredDataset} from '../../store/datasets.js'

export default class DatasetsVerify extends LrgateCommand<typeof DatasetsVerify> {
  static override summary = "Check a dataset version: every file's sha256 against the manifest and every line against the format."

  static override description =
    'Exits 2 naming the file when a file changed after the version was made, or naming file:line:field for an invalid line. ' +
    'When the database exists and has seen this name@version, its recorded hash must match too.'

  static override examples = [
    {description: 'A shipped dataset', command: '<%= config.bin %> <%= command.id %> example-eval@1'},
    {description: 'A dataset folder of your own', command: '<%= config.bin %> <%= command.id %> ./data/support-eval/3'},
  ]

  static override args = {
    dataset: Args.string({description: 'name@version, or the path of a dataset folder', required: true}),
  }

  public async run(): Promise<void> {
    const report = await verifyDataset(this.args.dataset)
    this.checkAgainstStore(report.ref, report.hash)
    if (this.flags.json) this.printJson({ok: true, ...report})
    else for (const line of verifyLines(report)) this.say(line)
  }

  /** The store is optional here: only an existing database is consulted, never created. */
  private checkAgainstStore(ref: string, hash: string): void {
    const file = resolveDbPath(this.flags.db)
    if (!existsSync(file)) return
    const db = openDbReadOnly(file)
    try {
      const [name, version] = ref.split('@')
      const stored = findStoredDataset(db, name, version)
      if (stored !== undefined && stored.hash !== hash) {
        throw new InputError(
          `dataset ${ref}: its content hash is ${hash} but ${file} recorded ${stored.hash} when it was first used (${stored.firstUsed}); versions are immutable — give changed data a new version.`,
        )
      }
    } finally {
      db.close()
    }
  }
}
