import {Flags} from '@oclif/core'

import {LrgateCommand} from '../../cli/base-command.js'
import {existingDbFromFlags} from '../../cli/context.js'
import {formatBytes, pruneArtifacts} from '../../sweep/artifacts.js'

export default class RunsPrune extends LrgateCommand<typeof RunsPrune> {
  static override summary = 'Delete the fine-tuned models and checkpoints of every candidate except the promoted and the recommended one.'

  static override description = `Keeps the promoted model (the latest "lrgate baseline promote") and the latest sweep's recommended candidate; deletes every other candidate's folder under <database folder>/runs/ (its model and checkpoints) and says how much disk that freed. Runs still running are left alone. The database keeps every row: history, scores and gate decisions stay; only re-scoring a deleted model on a new dataset version becomes impossible.`

  static override examples = [
    {description: 'See what would go', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'Free the disk', command: '<%= config.bin %> <%= command.id %>'},
  ]

  static override flags = {
    'dry-run': Flags.boolean({description: 'list what would be deleted and delete nothing'}),
  }

  public async run(): Promise<void> {
    const db = existingDbFromFlags(this.flags)
    try {
      const result = pruneArtifacts(db, {dryRun: this.flags['dry-run']})
      if (this.flags.json) {
        this.printJson({dryRun: this.flags['dry-run'], ...result})
        return
      }
      for (const k of result.kept) this.say(`kept    run #${k.runId} ${k.label} (${k.why})`)
      for (const r of result.removed) this.say(`${this.flags['dry-run'] ? 'would delete' : 'deleted'} run #${r.runId} ${r.label} (${formatBytes(r.bytes)})`)
      const n = result.removed.length
      this.say(`${this.flags['dry-run'] ? 'Would free' : 'Freed'} ${formatBytes(result.bytesFreed)} (${n} candidate folder${n === 1 ? '' : 's'}).`)
    } finally {
      db.close()
    }
  }
}
