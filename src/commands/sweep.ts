import {Flags} from '@oclif/core'
import {existsSync} from 'node:fs'

import {LrgateCommand} from '../cli/base-command.js'
import {inert} from '../util/inert.js'
import {configFromFlags} from '../cli/context.js'
import {scheduleFlags} from '../cli/schedule-flags.js'
import {InputError} from '../errors.js'
import {exitCodeFor} from '../process/shutdown.js'
import {resolveDbPath} from '../store/db.js'
import {acquireRunLock} from '../store/run-lock.js'
import {hint} from '../util/invocation.js'
import {plural} from '../util/plural.js'

export default class Sweep extends LrgateCommand<typeof Sweep> {
  static override summary = 'Fine-tune the base model at each candidate learning rate, evaluate, gate, and recommend one.'

  static override description = `With no config and no flags it runs the shipped example: the example base model fine-tuned on food-train@1 at each learning rate of sweep.lrs (warmup + cosine, AdamW, clipping), the base model and every candidate evaluated on example-eval@2, each candidate gated against the base (gate.rules), and the candidate with the best target gain among those that pass recommended.

Candidates run in worker processes (--parallel); progress goes to stderr. With --trainer (or trainer.command) each candidate is fine-tuned by your own command instead, in its own process group; a candidate whose trainer fails, is killed or times out is marked failed and the others go on. Ctrl-C or SIGTERM (CI cancellation, timeout, docker stop) stops cleanly at the next checkpoint within 10 s, marks the run interrupted and prints the --resume command (exit 130 / 143); a run has one live owner (a second --resume of it exits 2, naming the owner); a killed sweep resumes from its checkpoints without redoing finished candidates. Exit 0 when the sweep completed whatever the verdicts, failed candidates included (--gate: exit 1 when nothing is recommended: no candidate passes the gate, or none that passes improves sweep.objective — target perplexity by default — on the model it would replace), 2 on bad input.`

  static override examples = [
    {description: 'The shipped example (66–98 s on a 2-core machine, README "The main job")', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Your own learning rates and length', command: '<%= config.bin %> <%= command.id %> --lr 3e-5,1e-4,3e-4 --steps 200'},
    {description: 'A linear decay with 20 warmup steps instead of the configured schedule', command: '<%= config.bin %> <%= command.id %> --type linear --warmup-steps 20'},
    {description: 'Weekly retrain on a new data version (food-train@2, made first with "lrgate datasets create"); fail the job when nothing may ship', command: '<%= config.bin %> <%= command.id %> --train food-train@2 --name weekly-$(date +%F) --gate'},
    {description: 'What a sweep would train, and roughly how long and how much disk it takes, without running it', command: '<%= config.bin %> <%= command.id %> --lr 1e-5,1e-4 --method full,lora --dry-run'},
    {description: 'Continue a sweep that was interrupted or killed (failed candidates are rerun)', command: '<%= config.bin %> <%= command.id %> --resume 3'},
    {description: 'Your own PyTorch trainer per candidate (examples/pytorch-trainer)', command: '<%= config.bin %> <%= command.id %> --trainer "/usr/bin/python3 examples/pytorch-trainer/train.py --config {config}"'},
    {description: 'Shard 2 of 4 of one sweep on this machine (lrgate merge joins the shard databases)', command: '<%= config.bin %> <%= command.id %> --shard 2/4 --name sweep-2024-06-03 --db shard-2.db'},
    {description: 'Which method and remedy may ship: full vs LoRA, with and without replay, and a 50/50 weight interpolation', command: '<%= config.bin %> <%= command.id %> --method full,lora --lora-rank 8 --replay 0,0.25 --interpolate 1,0.5'},
  ]

  static override flags = {
    lr: Flags.string({description: 'candidate learning rates, comma-separated [default: sweep.lrs]', helpValue: '<a,b,c>'}),
    steps: Flags.string({description: 'optimizer steps per candidate [default: sweep.steps]', helpValue: '<n>', exclusive: ['epochs']}),
    epochs: Flags.string({description: 'passes over the fine-tune data instead of --steps', helpValue: '<n>'}),
    'batch-size': Flags.string({description: 'sequences per step [default: sweep.batchSize]', helpValue: '<n>'}),
    base: Flags.string({description: 'base model directory, or "example" [default: baseModel]', helpValue: '<dir>'}),
    train: Flags.string({description: 'fine-tune dataset, name@version or folder [default: datasets.train]', helpValue: '<dataset>'}),
    eval: Flags.string({description: 'eval dataset, name@version or folder [default: datasets.eval]', helpValue: '<dataset>'}),
    seed: Flags.string({description: 'seed of every random choice [default: seed]', helpValue: '<n>'}),
    parallel: Flags.string({description: 'candidates trained at once, or "auto" [default: sweep.parallel]', helpValue: '<n|auto>'}),
    name: Flags.string({description: 'a name for this run (evaluation labels are <name>/<candidate>)'}),
    backend: Flags.string({description: 'compute backend: auto, tensorflow, native, cpu [default: backend; env LRGATE_BACKEND]', options: ['auto', 'tensorflow', 'native', 'cpu']}),
    resume: Flags.integer({description: 'continue run <id> from its checkpoints (other flags are ignored: the run keeps its plan)', helpValue: '<run>'}),
    baseline: Flags.string({description: 'what candidates are gated against and must improve on: base, promoted (the base model while nothing is promoted yet), a label or an evaluation id [default: gate.baseline]', helpValue: '<ref>'}),
    gate: Flags.boolean({description: 'exit 1 when nothing is recommended (no candidate passes the gate and improves sweep.objective)'}),
    trainer: Flags.string({
      description: 'fine-tune each candidate with your own trainer: a command template with {lr} {steps} {warmup_steps} {batch_size} {seed} {candidate} {base} {train} {output_dir} {config} {resume_from} (README "Your own trainer") [default: trainer.command]',
      helpValue: '<template>',
    }),
    'dry-run': Flags.boolean({description: 'list the candidates, their steps and the estimated time and disk, and stop: nothing is trained or written', exclusive: ['resume']}),
    'early-stopping': Flags.boolean({description: 'prune hopeless candidates by successive halving [default: sweep.earlyStopping.enabled: auto, on for 6 or more learning rates]', allowNo: true}),
    method: Flags.string({description: 'fine-tune methods, comma-separated: full, lora [default: sweep.methods]', helpValue: '<full,lora>'}),
    'lora-rank': Flags.string({description: 'LoRA rank (alpha follows as 2 x rank unless --lora-alpha) [default: 8]', helpValue: '<n>'}),
    'lora-alpha': Flags.string({description: 'LoRA alpha: the adapter is scaled by alpha/rank [default: 16]', helpValue: '<x>'}),
    replay: Flags.string({description: 'replay shares: part of each batch drawn from general text (datasets.replay), e.g. 0,0.25 [default: sweep.replay]', helpValue: '<a,b>'}),
    'replay-data': Flags.string({description: 'general text for replay, name@version or folder [default: datasets.replay]', helpValue: '<dataset>'}),
    interpolate: Flags.string({description: 'WiSE-FT: also evaluate base + alpha (tuned - base) for each alpha < 1, e.g. 1,0.5 [default: sweep.interpolate]', helpValue: '<a,b>'}),
    seeds: Flags.string({description: 'fine-tunes per configuration, each with its own seed [default: sweep.seeds]', helpValue: '<n>'}),
    shard: Flags.string({
      description: 'run one shard of the sweep: the configurations whose index mod N is I, into this database (needs --name); auto/N takes I from JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or LRGATE_SHARD_INDEX; join the shards with lrgate merge',
      helpValue: '<I/N|auto/N>',
    }),
    ...scheduleFlags,
  }

  public async run(): Promise<void> {
    const {flags} = this
    const dbPath = resolveDbPath(flags.db)
    const {resume, 'dry-run': dryRun, ...planFlags} = flags
    // A run has one live owner: a second --resume exits 2 here, naming it, before anything slow
    // (the engine's modules below take seconds to load on a busy machine).
    if (resume !== undefined && !existsSync(dbPath)) throw new InputError(`--resume ${resume}: there is no database at ${dbPath}; give --db the database of that run.`)
    const lock = resume === undefined ? undefined : acquireRunLock(dbPath, resume)
    if (lock?.previous) this.note(`run ${resume}: its owner, pid ${lock.previous.pid} on ${lock.previous.host}, is gone; taking the run over.`)

    // Released on every way out (a bad config, a run that does not exist, an error mid-sweep), so no
    // owner file is left naming a process that is gone; runSweep releases it earlier when it can.
    try {
      // The engine loads only here, so other commands never pay for tfjs.
      const {planSweep} = await import('../sweep/plan.js')
      const {runSweep, resumeHint} = await import('../sweep/run-sweep.js')
      const {initBackend} = await import('../compute/backend.js')
      const {createProgress} = await import('../report/progress.js')
      const {renderSweepTable, recommendationLine} = await import('../report/sweep-table.js')
      const {config, file} = configFromFlags(flags)
      const plan = resume === undefined ? planSweep(config, file, planFlags) : undefined
      if (dryRun && plan) {
        const {dryRunSweep} = await import('../sweep/dry-run.js')
        const {dryRunLines} = await import('../report/dry-run.js')
        const planned = await dryRunSweep(plan, dbPath)
        if (flags.json) this.printJson({dryRun: true, ...planned})
        else for (const line of dryRunLines(planned)) this.say(line)
        return
      }
      const backend = await initBackend(plan?.backend ?? flags.backend ?? config.backend)
      this.note(`backend: ${backend.name} (${backend.reason})`)
      const progress = createProgress(process.stderr)
      const outcome = await runSweep({plan, resume, dbPath, progress, backend, ...(lock ? {lock} : {})})

      if (outcome.status === 'interrupted') {
        this.note(resumeHint(outcome.name, outcome.runId))
        if (flags.json) this.printJson({runId: outcome.runId, status: 'interrupted', candidates: [], recommended: null})
        process.exitCode = outcome.signal ? exitCodeFor(outcome.signal) : 130
        return
      }
      if (flags.json) {
        this.printJson({
          runId: outcome.runId,
          name: outcome.name,
          status: outcome.status,
          baseline: outcome.baseline,
          candidates: outcome.candidates.map((c) => ({
            label: c.label, lr: c.lr, method: c.method, rank: c.rank, alpha: c.alpha, replay: c.replay, interpolate: c.interpolate, ema: c.ema, seed: c.seed,
            status: c.status, evaluationId: c.evaluationId, verdict: c.verdict, gateId: c.gateId,
            targetPerplexityChange: c.target.perplexityChange, worstOod: c.worstOod, objective: c.objective,
            failRateChange: c.failRateChange, failRateCohort: c.failRateCohort ?? null, inconclusive: c.inconclusive ?? [],
            // --seeds N: verdict is the configuration's (gated on the seeds' mean); seedVerdict is this seed's own
            ...(c.configuration ? {seedVerdict: c.seedVerdict ?? null, configuration: c.configuration} : {}),
          })),
          objective: outcome.objective,
          recommended: outcome.recommended?.label ?? null,
          keep: outcome.keep ? {model: outcome.keep.model, reason: outcome.keep.reason, best: outcome.keep.best?.label ?? null} : null,
          withoutRemedy: outcome.withoutRemedy?.label ?? null,
          compute: outcome.compute,
        })
      } else {
        const {stepsTrained, stepsPlanned} = outcome.compute
        const saved = stepsTrained < stepsPlanned ? `; early stopping trained ${stepsTrained} of ${stepsPlanned} steps (${(stepsPlanned / stepsTrained).toFixed(1)}x less)` : ''
        this.say(`Sweep ${inert(outcome.name)} (run ${outcome.runId}): ${plural(outcome.candidates.length, 'candidate')} in ${Math.round(outcome.seconds)} s; gated against ${inert(outcome.baseline?.named ?? outcome.baseline?.label ?? '–')}${outcome.baseline?.note ? ` (${outcome.baseline.note})` : ''}${saved}.`)
        this.say(renderSweepTable(outcome))
        this.say(recommendationLine(outcome))
        this.say(`Details: ${hint(`runs show ${outcome.runId}`)} · HTML report: ${hint(`report ${outcome.runId}`)}`)
        if (plan?.shard) {
          this.say(`This is shard ${plan.shard.index}/${plan.shard.count} of sweep ${inert(outcome.name)}: its verdicts and recommendation cover this shard only; join the shards with ${hint('merge SHARD.db… --into DEST.db')}.`)
        }
      }
      if (flags.gate && outcome.recommended === null) process.exitCode = 1
    } finally {
      lock?.release()
    }
  }
}
