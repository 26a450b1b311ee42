import {Flags} from '@oclif/core'

import {LrgateCommand} from '../cli/base-command.js'
import {configFromFlags, dbFromFlags} from '../cli/context.js'
import {InputError} from '../errors.js'
import {planFindLr} from '../find-lr/plan.js'

/** Said when the curve has no suggestion, with or without --candidates. */
const NOTHING_TO_SUGGEST = 'loss never fell: no learning rate to suggest; try a wider ramp (--start-lr, --end-lr) or more iterations (--num-it).'

export default class FindLr extends LrgateCommand<typeof FindLr> {
  static override summary = 'LR range test on the base model with the fine-tune data: suggestions and a sweep list.'

  static override description = `Trains the base model on the fine-tune data (training split) with the learning rate ramped exponentially from --start-lr to --end-lr, one batch per iteration, with the sweep's optimizer, clipping and batch size, and records the loss and its smoothed curve (debiased EMA, beta 0.98). The test stops when the smoothed loss passes 4x its best. The base model is never written: the weights are restored afterwards.

Suggestions (fastai's): valley, the middle of the longest fall of the loss; steep, the steepest fall against log lr; minimum, a tenth of the lr at the lowest loss. The sweep list holds --count rates on the 1-3 grid from the valley downwards: the range test sees only the target loss, and forgetting grows with the learning rate. --candidates prints only that list, for "lrgate sweep --lr $(lrgate find-lr --candidates)".

When the loss never fell there is nothing to suggest: the run is still stored as completed (the curve, no suggestion), the table says so and the command exits 0; --candidates exits 2 with no list instead, so "lrgate sweep --lr $(…)" does not start on an empty one.

The curve is stored as a run of kind find-lr (lrgate runs show <id>).`

  static override examples = [
    {description: 'Range test of the shipped example, with the curve', command: '<%= config.bin %> <%= command.id %> --plot'},
    {description: 'Sweep the suggested list', command: 'lrgate sweep --lr $(<%= config.bin %> <%= command.id %> --candidates)'},
    {description: 'A narrower ramp with more points, as JSON', command: '<%= config.bin %> <%= command.id %> --start-lr 1e-6 --end-lr 1 --num-it 200 --json'},
  ]

  static override flags = {
    'start-lr': Flags.string({description: 'learning rate of the first iteration [default: 1e-7]', helpValue: '<lr>'}),
    'end-lr': Flags.string({description: 'learning rate the ramp reaches at the last iteration [default: 10]', helpValue: '<lr>'}),
    'num-it': Flags.string({description: 'iterations of the ramp [default: 100]', helpValue: '<n>'}),
    'batch-size': Flags.string({description: 'sequences per iteration [default: sweep.batchSize]', helpValue: '<n>'}),
    base: Flags.string({description: 'base model directory, or "example" [default: baseModel]', helpValue: '<dir>'}),
    train: Flags.string({description: 'fine-tune dataset, name@version or folder [default: datasets.train]', helpValue: '<dataset>'}),
    seed: Flags.string({description: 'seed of the batch order [default: seed]', helpValue: '<n>'}),
    backend: Flags.string({description: 'compute backend: auto, tensorflow, native, cpu [default: backend; env LRGATE_BACKEND]', options: ['auto', 'tensorflow', 'native', 'cpu']}),
    plot: Flags.boolean({description: 'draw the loss against the learning rate in the terminal'}),
    candidates: Flags.boolean({description: 'print only the sweep list (comma-separated), for lrgate sweep --lr', exclusive: ['plot']}),
    count: Flags.string({description: 'learning rates in the sweep list [default: 4]', helpValue: '<n>'}),
  }

  public async run(): Promise<void> {
    const {flags} = this
    const {config} = configFromFlags(flags)
    const plan = planFindLr(config, flags)
    // The engine loads only here, so other commands never pay for tfjs.
    const {initBackend} = await import('../compute/backend.js')
    const {runFindLr} = await import('../find-lr/run-find-lr.js')
    const {createProgress} = await import('../report/progress.js')
    const {lrList, rangePlot, suggestionTable} = await import('../report/find-lr-report.js')

    const backend = await initBackend(plan.backend)
    this.note(`backend: ${backend.name} (${backend.reason})`)
    let stop: string | null = null
    // SIGINT and SIGTERM alike: the test stops at the next iteration and stores what it has.
    const {onShutdown} = await import('../process/shutdown.js')
    const shutdown = onShutdown({begin: (signal) => (stop = `interrupted (${signal})`)})
    const db = dbFromFlags(flags)
    try {
      const outcome = await runFindLr({db, plan, backend, progress: createProgress(process.stderr), shouldStop: () => stop})
      if (outcome.status === 'interrupted') {
        this.note(`LR range test (run ${outcome.runId}) interrupted after ${outcome.points.length} of ${plan.iterations} iterations; nothing suggested.`)
        process.exitCode = shutdown.exitCode() ?? 130
        return
      }
      if (flags.json) {
        const {runId, stoppedBecause, suggestions, anchor, candidates, points} = outcome
        this.printJson({runId, stoppedBecause, suggestions, anchor, candidates, points})
        return
      }
      if (flags.candidates) {
        // An empty list would turn "lrgate sweep --lr $(…)" into a confusing flag error: fail here instead.
        if (outcome.candidates.length === 0) throw new InputError(`LR range test run ${outcome.runId} (stored as completed, with no suggestion): the ${NOTHING_TO_SUGGEST}`)
        this.say(lrList(outcome.candidates))
        return
      }
      const end = outcome.stoppedBecause === null ? 'ran to the end of the ramp' : `stopped early: ${outcome.stoppedBecause}`
      this.say(`LR range test (run ${outcome.runId}): ${outcome.points.length} iterations from ${plan.startLr} to ${plan.endLr} in ${Math.round(outcome.seconds)} s; ${end}.`)
      if (flags.plot) this.say(rangePlot(outcome))
      this.say(suggestionTable(outcome))
      if (outcome.candidates.length > 0) this.say(`Sweep list around the ${outcome.anchor} (at and below it, where forgetting is smaller): lrgate sweep --lr ${lrList(outcome.candidates)}`)
      else this.say(`The ${NOTHING_TO_SUGGEST}`)
    } finally {
      shutdown.dispose()
      db.close()
    }
  }
}
