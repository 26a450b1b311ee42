import {Flags} from '@oclif/core'

import {LrgateCommand} from '../../cli/base-command.js'
import {readDbFromFlags} from '../../cli/context.js'
import {historyTables} from '../../report/table.js'
import {readHistory} from '../../store/runs-read.js'
import {runDiskUsage} from '../../sweep/artifacts.js'

export default class RunsList extends LrgateCommand<typeof RunsList> {
  static override summary = 'List recent runs, evaluations, gate decisions and promotions.'

  static override examples = [
    {description: 'What the database holds, newest first', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The last 5 of each, as JSON', command: '<%= config.bin %> <%= command.id %> --limit 5 --json'},
    {description: 'Free the disk of models nobody will ship', command: '<%= config.bin %> runs prune'},
  ]

  static override flags = {
    limit: Flags.integer({description: 'rows of each kind', default: 20, min: 1}),
  }

  public async run(): Promise<void> {
    const db = readDbFromFlags(this.flags)
    try {
      const history = readHistory(db, this.flags.limit)
      // Bytes of the fine-tuned models and checkpoints each run keeps beside the database.
      const usage = runDiskUsage(db, history.runs.map((r) => r.id))
      const diskBytes = Object.fromEntries(usage)
      if (this.flags.json) this.printJson({...history, runs: history.runs.map((r) => ({...r, diskBytes: usage.get(r.id) ?? 0}))})
      else for (const line of historyTables({...history, diskBytes})) this.say(line)
    } finally {
      db.close()
    }
  }
}
