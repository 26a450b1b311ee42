import {Args} from '@oclif/core'

import {LrgateCommand} from '../../cli/base-command.js'
import {readDbFromFlags} from '../../cli/context.js'
import {storedRangeTest} from '../../find-lr/from-store.js'
import type {FindLrPlan} from '../../find-lr/plan.js'
import {lrList, suggestionTable} from '../../report/find-lr-report.js'
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
    const db = readDbFromFlags(this.flags)
    try {
      const run = readRun(db, this.args.id)
      // A find-lr run's candidate is its curve: show the suggestions it gives.
      const rangeTest = run.run.kind === 'find-lr' ? storedRangeTest(db, run.run.id, run.config as FindLrPlan) : null
      if (this.flags.json) {
        this.printJson(rangeTest === null ? run : {...run, rangeTest: {suggestions: rangeTest.suggestions, anchor: rangeTest.anchor, candidates: rangeTest.candidates}})
        return
      }
      for (const line of runTables(run)) this.say(line)
      if (rangeTest !== null) {
        this.say(suggestionTable(rangeTest))
        if (rangeTest.candidates.length > 0) this.say(`Sweep list: lrgate sweep --lr ${lrList(rangeTest.candidates)}`)
      }
    } finally {
      db.close()
    }
  }
}
