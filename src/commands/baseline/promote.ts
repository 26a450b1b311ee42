import {Args, Flags} from '@oclif/core'

import {LrgateCommand} from '../../cli/base-command.js'
import {inert} from '../../util/inert.js'
import {existingDbFromFlags} from '../../cli/context.js'
import {promoteEvaluation} from '../../gate/promote.js'

export default class BaselinePromote extends LrgateCommand<typeof BaselinePromote> {
  static override summary = 'Make an evaluation (and its model) the promoted baseline that "--baseline promoted" compares with.'

  static override description = `Records the evaluation and the model folder it came from (a sweep candidate's fine-tuned model, or the --model of "lrgate eval"). Weekly retrain jobs gate the new model against "promoted" and promote it only when the gate passes.

The argument takes the same references as check: an evaluation id, a label, base, recommended, or run:<id>:<label|base|recommended> (run:<label> for the latest sweep).`

  static override examples = [
    {description: 'Promote the latest evaluation labelled "weekly-2024-06-03"', command: '<%= config.bin %> <%= command.id %> weekly-2024-06-03 --note "passed gate #41"'},
    {description: "Promote the latest sweep's recommended candidate", command: '<%= config.bin %> <%= command.id %> recommended'},
    {description: 'Promote candidate lr-1e-4 of run 3', command: '<%= config.bin %> <%= command.id %> run:3:lr-1e-4'},
  ]

  static override args = {
    evaluation: Args.string({description: 'evaluation id, label, base, recommended or run:<id>:<label>', required: true}),
  }

  static override flags = {
    note: Flags.string({description: 'why it was promoted (kept with the promotion)'}),
  }

  public async run(): Promise<void> {
    const db = existingDbFromFlags(this.flags)
    try {
      const promotion = promoteEvaluation(db, this.args.evaluation, this.flags.note)
      if (this.flags.json) this.printJson(promotion)
      else {
        this.say(`promoted evaluation #${promotion.evaluationId} "${inert(promotion.label)}" (promotion #${promotion.id})`)
        this.say(promotion.modelDir === null ? 'model: none recorded (an outputs-file evaluation)' : `model: ${promotion.modelDir}`)
      }
    } finally {
      db.close()
    }
  }
}
