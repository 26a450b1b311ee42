import {Flags} from '@oclif/core'
import Table from 'cli-table3'

import {LrgateCommand} from '../cli/base-command.js'
import {InputError} from '../errors.js'
import {num, scheduleFlags} from '../cli/schedule-flags.js'
import {configFromFlags, readDbFromFlags} from '../cli/context.js'
import {storedTrajectory, trajectoryTable} from '../report/trajectory.js'
import {renderPlot} from '../report/terminal-plot.js'
import {validateSchedule} from '../schedule/build.js'
import {decidedDuringTraining, describeSchedule, formatLr} from '../schedule/describe.js'
import {scheduleSpecFromFlags, sweepScheduleFallback} from '../schedule/from-flags.js'
import {pickRows} from '../schedule/rows.js'


export default class Schedule extends LrgateCommand<typeof Schedule> {
  static override summary = 'Print the learning rate a schedule gives at each optimizer step.'

  static override description = `Shows a table of step → lr (a subset of rows for long runs), a terminal plot (--plot), or with --json {"schemaVersion": 1, "lr": [...]}, where lr[t] is the rate applied at 0-based optimizer step t.

Flags are named after PyTorch's torch.optim.lr_scheduler arguments; without warmup the values equal PyTorch's. Warmup wraps any type: steps 0 … w-1 ramp linearly from --warmup-start-lr to --lr, then the type's own step counter starts at 0, so lengths (--step-size, --milestones, --t-max, --t0, --total-iters) count from the end of warmup.

Without --type it shows the sweep's schedule from the config (sweep.schedule, at lr = sweep.lrs[0] and sweep.steps); flags given override it.

A plateau or learned schedule is decided during training: --run N [--candidate LABEL] shows what a stored run applied instead, step by step (lr, and batch size, clip norm, weight decay and EMA decay where sweep.schedules / sweep.ema set them), read from --db without writing to it. --json then prints {"run", "candidate", "type", "steps": [...], "lr": [...], "batchSize": [...], "clipNorm": [...], "weightDecay": [...], "emaDecay": [...]}.`

  static override examples = [
    {
      description: 'Warmup for 10% of 300 steps, then cosine to 0 (the default sweep schedule)',
      command: '<%= config.bin %> <%= command.id %> --type cosine --lr 1e-3 --steps 300 --warmup-ratio 0.1',
    },
    {
      description: 'PyTorch StepLR(step_size=30, gamma=0.1), drawn in the terminal',
      command: '<%= config.bin %> <%= command.id %> --type step --lr 0.1 --steps 100 --step-size 30 --gamma 0.1 --plot',
    },
    {
      description: 'Warmup-stable-decay with a 1-sqrt decay over the last 20% of steps',
      command: '<%= config.bin %> <%= command.id %> --type wsd --lr 5e-4 --steps 1000 --warmup-steps 50 --decay-ratio 0.2 --decay-shape sqrt',
    },
    {
      description: 'Every value as JSON, for a script',
      command: '<%= config.bin %> <%= command.id %> --type one-cycle --lr 1e-3 --steps 100 --json',
    },
    {
      description: 'What run 3 applied: its recommended candidate\'s lr (and other scheduled values) at each step, from the database',
      command: '<%= config.bin %> <%= command.id %> --type plateau --run 3',
    },
    {
      description: 'The same for one candidate of a learned-schedule sweep',
      command: '<%= config.bin %> <%= command.id %> --type learned --run 4 --candidate lr-1e-3',
    },
    {
      description: "The schedule the sweep will use (from lrgate.config.yaml, or the defaults)",
      command: '<%= config.bin %> <%= command.id %> --plot',
    },
  ]

  static override flags = {
    ...scheduleFlags,
    lr: num('base learning rate (one-cycle: the peak unless --max-lr)'),
    steps: num('optimizer steps of the run, warmup included'),
    plot: Flags.boolean({description: 'draw the curve in the terminal instead of the table'}),
    run: Flags.integer({description: 'show the values a stored run applied (its recommended or first candidate; see --candidate), from --db', min: 1}),
    candidate: Flags.string({description: 'with --run: the candidate label (e.g. lr-1e-3)', dependsOn: ['run']}),
  }

  public async run(): Promise<void> {
    const {run, candidate, ...flags} = this.flags
    if (run !== undefined) {
      this.showStored(run, candidate, flags.type)
      return
    }
    const fallback = flags.type === undefined ? sweepFallback(flags) : undefined
    const {spec, source, name} = scheduleSpecFromFlags(flags, fallback)
    const schedule = validateSchedule(spec, {}, {name})
    const lr = Array.from({length: schedule.steps}, (_, t) => schedule.lrAt(t))
    if (flags.json) {
      this.printJson({lr})
      return
    }

    this.say(describeSchedule(schedule) + (source === 'flags' ? '' : ` (from ${source})`))
    const decided = decidedDuringTraining(schedule.type)
    if (decided !== null) this.say(decided)
    if (flags.plot) {
      this.say(renderPlot([{label: schedule.type, y: lr}], {xLabel: 'step', yLabel: 'lr'}))
      return
    }
    const w = schedule.warmup.steps
    const rows = pickRows(schedule.steps, {marks: w > 0 ? [w - 1, w] : []})
    const table = new Table({head: ['step', 'lr'], colAligns: ['right', 'right'], style: {head: [], border: [], compact: true}})
    for (const t of rows.steps) table.push([String(t), formatLr(lr[t])])
    this.say(table.toString())
    if (!rows.all) {
      this.say(`${rows.steps.length} of ${schedule.steps} steps shown: the first and last 3, one every ${rows.stride} steps${w > 0 ? ', the warmup boundary' : ''}; --json prints all.`)
    }
  }

  /** --run N [--candidate LABEL]: the stored trajectory of a run's candidate (read-only). */
  private showStored(runId: number, label: string | undefined, type: string | undefined): void {
    const given = [...SPEC_FLAGS, 'lr', 'steps'].find((f) => (this.flags as Record<string, unknown>)[f] !== undefined)
    if (given !== undefined) throw new InputError(`--${given} cannot be combined with --run: a stored run shows the values it applied; drop --${given}.`)
    const db = readDbFromFlags(this.flags)
    try {
      const t = storedTrajectory(db, runId, label, type)
      if (this.flags.json) {
        this.printJson({run: t.runId, candidate: t.candidate, type: t.type, steps: t.steps, lr: t.lr, batchSize: t.batchSize, clipNorm: t.clipNorm, weightDecay: t.weightDecay, emaDecay: t.emaDecay})
        return
      }
      if (this.flags.plot) {
        this.say(renderPlot([{label: `${t.candidate} (${t.type})`, y: t.lr}], {xLabel: 'step', yLabel: 'lr'}))
        return
      }
      for (const line of trajectoryTable(t)) this.say(line)
    } finally {
      db.close()
    }
  }
}

/** The flags that describe a schedule rather than pick a stored run (refused beside --run). */
const SPEC_FLAGS = Object.keys(scheduleFlags).filter((f) => f !== 'type')

function sweepFallback(flags: {config?: string}) {
  const {config, file} = configFromFlags(flags)
  return sweepScheduleFallback(config, file)
}
