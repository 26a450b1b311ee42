import {Flags} from '@oclif/core'
import {resolve} from 'node:path'

import {LrgateCommand} from '../../cli/base-command.js'
import {configFromFlags, dbFromFlags} from '../../cli/context.js'
import {checkOutputFile} from '../../util/output-file.js'

export default class ControllerTrain extends LrgateCommand<typeof ControllerTrain> {
  static override summary = 'Train the learned learning-rate controller (PPO) by fine-tuning the base model on source tasks.'

  static override description = `Each episode fine-tunes a fresh copy of the base model on one source task (round robin) while the controller, every --decision-every steps, multiplies the rate by 1/1.06, 1 or 1.06 (kept within [--min-lr, --max-lr]). Its reward is the fall of the task's validation loss per decision, minus --forgetting-weight times the rise of an out-of-domain probe loss (the eval dataset's ood records). PPO (clipped objective, GAE, entropy bonus decaying over the updates) updates the 32-unit actor and critic every --episodes-per-update episodes; the episodes of one update are independent, so --workers N runs them in N processes side by side, with the same result as one. Seeded. The run is stored as a run of kind controller (lrgate runs show ID lists its episodes, returns and lr trajectories). The controller is a small JSON file; use it with lrgate sweep --type learned --controller FILE.`

  static override examples = [
    {description: 'A short controller on two source tasks', command: '<%= config.bin %> <%= command.id %> --tasks ./tasks/animal,./tasks/artifact --episodes 8 --steps 40 --out controller.json'},
    {description: 'Two episodes at a time on two cores, rewarding less forgetting', command: '<%= config.bin %> <%= command.id %> --tasks ./tasks/animal,./tasks/artifact --episodes 8 --workers 2 --forgetting-weight 1 --out controller.json'},
  ]

  static override flags = {
    tasks: Flags.string({description: 'source tasks: fine-tune datasets, comma-separated (never the target you will sweep)', helpValue: '<a@1,b@1>', required: true}),
    probe: Flags.string({description: 'dataset whose ood records are the forgetting probe [default: datasets.eval]', helpValue: '<dataset>'}),
    episodes: Flags.string({description: 'fine-tune episodes [default: 20]', helpValue: '<n>'}),
    steps: Flags.string({description: 'optimizer steps per episode [default: 60]', helpValue: '<n>'}),
    'batch-size': Flags.string({description: 'sequences per step [default: sweep.batchSize]', helpValue: '<n>'}),
    lr: Flags.string({description: 'initial learning rate of every episode [default: 1e-3]', helpValue: '<lr>'}),
    'min-lr': Flags.string({description: 'lowest rate the controller may reach [default: lr/10]', helpValue: '<lr>'}),
    'max-lr': Flags.string({description: 'highest rate the controller may reach [default: 10 x lr]', helpValue: '<lr>'}),
    'decision-every': Flags.string({description: 'optimizer steps between decisions [default: 10]', helpValue: '<n>'}),
    'forgetting-weight': Flags.string({description: 'lambda: weight of the probe-loss rise in the reward; 0 is the paper\'s reward [default: 0]', helpValue: '<x>'}),
    'episodes-per-update': Flags.string({description: 'episodes per PPO update [default: 2]', helpValue: '<n>'}),
    'model-features': Flags.boolean({description: 'also read the model: variance of its predictions and of their change, mean and variance of its output layer (controller format 2; default: losses and the lr only, format 1)'}),
    workers: Flags.string({description: 'worker processes running the episodes of one PPO update side by side (same result as 1) [default: 1]', helpValue: '<n>'}),
    seed: Flags.string({description: 'seed of every random choice [default: seed]', helpValue: '<n>'}),
    name: Flags.string({description: 'name of the stored run [default: controller-<id>]', helpValue: '<name>'}),
    base: Flags.string({description: 'base model directory, or "example" [default: baseModel]', helpValue: '<dir>'}),
    out: Flags.string({description: 'where to write the controller file', helpValue: '<file>', required: true}),
  }

  public async run(): Promise<void> {
    const {flags} = this
    const {config} = configFromFlags(flags)
    checkOutputFile(flags.out, '--out')
    // The engine loads only here, so other commands never pay for tfjs.
    const {initBackend} = await import('../../compute/backend.js')
    const {runControllerTraining} = await import('../../controller/run.js')
    const backend = await initBackend(config.backend)
    this.note(`backend: ${backend.name} (${backend.reason})`)
    const out = resolve(flags.out)
    const store = dbFromFlags(flags)
    const onEpisode = (e: {episode: number; task: string; return: number; status: string; lrs: number[]}) => {
      const first = e.lrs[0], last = e.lrs[e.lrs.length - 1], peak = Math.max(...e.lrs)
      this.note(`episode ${e.episode + 1}: ${e.task} return ${e.return.toFixed(4)} (${e.status}); lr ${first.toExponential(2)} -> ${last.toExponential(2)}, peak ${peak.toExponential(2)}`)
    }
    let result: Awaited<ReturnType<typeof runControllerTraining>>
    try {
      result = await runControllerTraining(config, {...flags, out}, process.cwd(), {store, backend, onEpisode})
    } finally {
      store.close()
    }
    const n = result.returns.length, tenth = Math.max(1, Math.floor(n / 10))
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const summary = {runId: result.runId, file: out, episodes: n, seconds: Math.round(result.seconds), firstTenthReturn: mean(result.returns.slice(0, tenth)), lastTenthReturn: mean(result.returns.slice(-tenth)), returns: result.returns}
    if (flags.json) {
      this.printJson(summary)
      return
    }
    this.say(`Controller written to ${out} after ${n} episodes in ${summary.seconds} s (run ${result.runId}); mean return of the first ${tenth} episode(s) ${summary.firstTenthReturn.toFixed(4)}, of the last ${tenth} ${summary.lastTenthReturn.toFixed(4)}.`)
  }
}
