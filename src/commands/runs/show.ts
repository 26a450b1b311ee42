import {Args} from '@oclif/core'

import {LrgateCommand} from '../../cli/base-command.js'
import {dbFromFlags} from '../../cli/context.js'
import {runTables} from '../../report/table.js'
import {readRun} from '../../store/runs-read.js'

export default class RunsShow extends LrgateCommand<typeof RunsShow> {
  static override summary = "Show one run: its settings, candidates, their evaluations and the gate's verdicts."

  static override examples = [
    {description: 'Run 3 as tables', command: '<%= config.bin %> <%= command.id %> 3'},
    {description: 'Run 3 as JSON', command: '<%= config.bin %> <%= command.id %> 3 --json'},
  ]

  static override args = {
    id: Args.integer({description: 'run id (see lrgate runs list)', required: true}),
  }

  public async run(): Promise<void> {
    const db = dbFromFlags(this.flags)
    try {
      const run = readRun(db, this.args.id)
      if (this.flags.json) this.printJson(run)
      else for (const line of runTables(run)) this.say(line)
    } finally {
      db.close()
    }
  }
}
