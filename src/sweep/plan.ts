import {resolve} from 'node:path'

import type {Config, EmaSettings} from '../config/schema.js'
import type {ScheduledValuesSpec} from '../schedule/scheduled-values.js'
import {planScheduledValues} from './plan-schedules.js'
import {positiveNumber, seedFlag} from '../config/flag-numbers.js'
import {InputError} from '../errors.js'
import {loadController} from '../schedule/learned/controller.js'
import {reservedLabelReason} from '../eval/label.js'
import {resolveModelRef} from '../model/reference.js'
import {compactLr, configKeyNamer, validateSchedule} from '../schedule/index.js'
import {flagName, type KeyNamer} from '../schedule/check.js'
import {scheduleSpecFromFlags, type ScheduleFlagValues} from '../schedule/from-flags.js'
import type {ScheduleSpec} from '../schedule/spec.js'
import {type Grid, type Method, normalizeMethod, parseLoraNumber, parseMethodList, parseShareList} from './grid.js'
import {parseShard, type Shard} from './shard.js'
import {planTrainer, type TrainerPlan} from './trainer-plan.js'

/** Everything a sweep needs, resolved from config and flags; stored with the run for --resume. */
export interface SweepPlan {
  name: string | null
  seed: number
  backend: string
  /** absolute path of the base model directory */
  baseModel: string
  train: string
  eval: string
  lrs: number[]
  /** the remedy grid (grid.ts); absent in plans stored before it: full, no replay, no interpolation, one seed */
  methods?: Method[]
  replay?: number[]
  interpolate?: number[]
  seeds?: number
  /** general text for replay (datasets.replay) */
  replayData?: string
  steps: number | null
  epochs: number | null
  batchSize: number
  parallel: number | 'auto'
  schedule: Omit<ScheduleSpec, 'lr' | 'steps'>
  /** How errors name each schedule key (the flag or config key it came from); absent in older stored plans. */
  scheduleNames?: Record<string, string>
  optimizer: Config['sweep']['optimizer']
  clipNorm: number
  /** sweep.schedules: batch-size ramp, clip-norm and weight-decay multipliers; absent: the constants */
  schedules?: ScheduledValuesSpec
  /** sweep.ema; absent or null: no weight average */
  ema?: EmaSettings | null
  valEvery: number
  checkpointEvery: number
  divergence: Config['sweep']['divergence']
  earlyStopping: Config['sweep']['earlyStopping']
  evaluation: Config['eval']
  gate: Config['gate']
  /** sweep.objective; absent in plans stored before it (target perplexity) */
  objective?: Config['sweep']['objective']
  /** `--shard I/N`: this process runs the configurations whose index mod N is I (shard.ts); absent or null: all */
  shard?: Shard | null
  /** an external trainer per candidate (README "Your own trainer"); null: the built-in engine */
  trainer?: TrainerPlan | null
  /** where evaluator paths in the config are relative to */
  configFile: string | null
  cwd: string
}

export interface SweepFlags extends ScheduleFlagValues {
  lr?: string
  steps?: string
  epochs?: string
  'batch-size'?: string
  base?: string
  train?: string
  eval?: string
  seed?: string
  parallel?: string
  name?: string
  backend?: string
  'early-stopping'?: boolean
  method?: string
  'lora-rank'?: string
  'lora-alpha'?: string
  replay?: string
  'replay-data'?: string
  interpolate?: string
  seeds?: string
  trainer?: string
  shard?: string
  baseline?: string
}

/** Schedule types decided during training (src/schedule/adaptive.ts). */
const ADAPTIVE_TYPES = new Set<string>(['plateau', 'learned'])

/** `example` is the shipped base model; anything else a model directory (relative to cwd). */
export function resolveBaseModel(ref: string, cwd: string): string {
  return resolveModelRef(ref, cwd, '--base')
}

/** Parses `--lr 5e-5,1e-4`: positive numbers, no duplicates, kept in the order given. */
export function parseLrList(text: string): number[] {
  const lrs = text.split(',').map((part) => positiveNumber('lr', part.trim(), false))
  if (new Set(lrs).size !== lrs.length) throw new InputError(`--lr lists a learning rate twice (got "${text}").`)
  return lrs
}

/** A candidate's label: `lr-1e-4`, `lr-5e-5` — short, unique per learning rate, sortable by eye. */
export function candidateLabel(lr: number): string {
  return `lr-${compactLr(lr)}`
}

/** Merges flags over the config and checks every candidate's schedule before anything runs. */
export function planSweep(config: Config, configFile: string | null, flags: SweepFlags, cwd = process.cwd()): SweepPlan {
  const lrs = flags.lr !== undefined ? parseLrList(flags.lr) : config.sweep.lrs
  const steps = flags.steps !== undefined ? positiveNumber('steps', flags.steps, true) : flags.epochs !== undefined ? null : (config.sweep.steps ?? null)
  const epochs = flags.epochs !== undefined ? positiveNumber('epochs', flags.epochs, false) : steps === null ? (config.sweep.epochs ?? null) : null
  if (steps === null && epochs === null) throw new InputError('the sweep needs a length: set sweep.steps or sweep.epochs in the config, or pass --steps / --epochs.')
  const trainer = planTrainer(config, flags)
  const parallel = flags.parallel === undefined ? config.sweep.parallel : flags.parallel === 'auto' ? 'auto' : positiveNumber('parallel', flags.parallel, true)

  // Schedule flags (--type, --warmup-ratio, …) override sweep.schedule; --lr and --steps are the sweep's own.
  const grid = planGrid(config, flags)
  if (trainer) {
    // Options a command template cannot carry (no placeholder for them): exit 2 naming both (README "Your own trainer").
    const given = [
      grid.methods.some((m) => m.type === 'lora') ? (flags.method !== undefined ? '--method lora' : 'sweep.methods: lora') : null,
      grid.replay.some((r) => r > 0) ? (flags.replay !== undefined ? `--replay ${flags.replay}` : 'sweep.replay') : null,
      grid.interpolate.some((a) => a < 1) ? (flags.interpolate !== undefined ? `--interpolate ${flags.interpolate}` : 'sweep.interpolate') : null,
    ].filter((g) => g !== null)
    if (given.length > 0) {
      const source = flags.trainer !== undefined ? '--trainer' : '--trainer (trainer.command)'
      throw new InputError(`${given.join(', ')} cannot be combined with ${source}: LoRA, replay and interpolation are the built-in engine's, and a command template has no placeholder for them; drop one of the two.`)
    }
  }
  const {lr: _lr, steps: _steps, trainer: _trainer, shard: _shard, method: _m, 'lora-rank': _r, 'lora-alpha': _a, replay: _rp, 'replay-data': _rd, interpolate: _i, seeds: _sd, ...scheduleFlags} = flags
  const fromFlags = scheduleSpecFromFlags(scheduleFlags, {spec: config.sweep.schedule, source: 'sweep.schedule', name: configKeyNamer('sweep.schedule')})
  const {lr: _l, steps: _s, ...schedule} = fromFlags.spec
  if (trainer && ADAPTIVE_TYPES.has(schedule.type)) {
    // Decided during training from the validation loss: a command template cannot be handed it.
    const source = flags.trainer !== undefined ? '--trainer' : '--trainer (trainer.command)'
    throw new InputError(`${fromFlags.name('type')} ${schedule.type} cannot be combined with ${source}: a ${schedule.type} schedule is decided during training from the validation loss, which an external trainer does not report back; drop one of the two.`)
  }
  if (schedule.type === 'learned' && schedule.controller !== undefined) {
    // Checked now (exit 2 naming the file and field) and kept as an absolute path for the workers.
    schedule.controller = resolve(cwd, schedule.controller)
    loadController(schedule.controller)
  }
  if (config.sweep.optimizer.type === 'schedulefree-adamw' && schedule.type !== 'constant') {
    // Schedule-free AdamW replaces the decay by its averaging (src/train/schedule-free.ts): a warmup only.
    throw new InputError(`${fromFlags.name('type')} is ${schedule.type}, but sweep.optimizer.type schedulefree-adamw takes no decay schedule: use type constant with a warmup (warmupSteps or warmupRatio).`)
  }
  // How errors name each schedule key: the flag or config key the user set. The length is --steps, or
  // for epochs "the length from --epochs N": its steps are known only once the data is loaded, so the
  // schedule is validated once, against the real length, here or in prepareSweep (never a stand-in).
  const scheduleNames: Record<string, string> = Object.fromEntries(
    [...Object.keys(schedule), 'type', 'lr'].map((k) => [k, fromFlags.name(k as Parameters<typeof fromFlags.name>[0])]),
  )
  scheduleNames.steps =
    flags.steps !== undefined ? '--steps' : flags.epochs !== undefined ? `the length from --epochs ${flags.epochs}` : steps !== null ? 'sweep.steps' : `the length from sweep.epochs ${epochs}`
  if (steps !== null) for (const lr of lrs) validateSchedule({...schedule}, {lr, steps}, {name: scheduleKeyNamer(scheduleNames)})

  const batchSize = flags['batch-size'] !== undefined ? positiveNumber('batch-size', flags['batch-size'], true) : config.sweep.batchSize
  const scheduled = planScheduledValues(config, {batchSize, steps, trainer: trainer ? (flags.trainer !== undefined ? '--trainer' : '--trainer (trainer.command)') : null})
  const name = checkRunName(flags.name !== undefined ? '--name' : 'sweep.name', flags.name ?? config.sweep.name ?? null)
  const shard = flags.shard === undefined ? null : parseShard(flags.shard)
  if (shard !== null && name === null) {
    throw new InputError(`--shard ${flags.shard} needs --name NAME (or sweep.name): every shard's database would otherwise call its run sweep-1, and lrgate merge joins shards by name.`)
  }
  return {
    name,
    shard,
    seed: flags.seed !== undefined ? seedFlag(flags.seed) : config.seed,
    backend: flags.backend ?? config.backend,
    baseModel: resolveBaseModel(flags.base ?? config.baseModel, cwd),
    train: flags.train ?? config.datasets.train,
    eval: flags.eval ?? config.datasets.eval,
    lrs,
    ...grid,
    steps,
    epochs,
    scheduleNames,
    batchSize,
    parallel,
    schedule,
    optimizer: config.sweep.optimizer,
    clipNorm: config.sweep.clipNorm,
    ...scheduled,
    valEvery: config.sweep.valEvery,
    checkpointEvery: config.sweep.checkpointEvery,
    divergence: config.sweep.divergence,
    // An external trainer never halves (planTrainer refuses an explicit request).
    earlyStopping: {...config.sweep.earlyStopping, ...(flags['early-stopping'] === undefined ? {} : {enabled: flags['early-stopping']}), ...(trainer ? {enabled: false} : {})},
    evaluation: config.eval,
    gate: flags.baseline === undefined ? config.gate : {...config.gate, baseline: flags.baseline},
    objective: checkObjective(config),
    trainer,
    configFile,
    cwd,
  }
}

/** The namer of a plan's schedule errors: the names stored with the plan, else the flag names. */
export function scheduleKeyNamer(names: Readonly<Record<string, string>> | undefined): KeyNamer {
  return (key) => names?.[key] ?? flagName(key)
}

/** The remedy grid's axes from flags over the config (methods, replay shares, interpolations, seeds). */
function planGrid(config: Config, flags: SweepFlags): Required<Pick<SweepPlan, 'methods' | 'replay' | 'interpolate' | 'seeds' | 'replayData'>> {
  const overrides = {
    ...(flags['lora-rank'] !== undefined ? {rank: parseLoraNumber('lora-rank', flags['lora-rank'])} : {}),
    ...(flags['lora-alpha'] !== undefined ? {alpha: parseLoraNumber('lora-alpha', flags['lora-alpha'])} : {}),
  }
  const settings = flags.method !== undefined ? parseMethodList(flags.method) : config.sweep.methods
  // A flag-given `lora` takes the config's LoRA settings (if any), then --lora-rank/--lora-alpha.
  const configured = config.sweep.methods.find((m) => typeof m === 'object' && m.type === 'lora')
  const methods = settings.map((m) => normalizeMethod(m === 'lora' && configured ? configured : m, overrides))
  if (new Set(methods.map((m) => JSON.stringify(m))).size !== methods.length) throw new InputError('sweep.methods lists the same method twice.')
  return {
    methods,
    replay: flags.replay !== undefined ? parseShareList('replay', flags.replay, 0, 1, true) : config.sweep.replay,
    interpolate: flags.interpolate !== undefined ? parseShareList('interpolate', flags.interpolate, 0, 1, false) : config.sweep.interpolate,
    seeds: flags.seeds !== undefined ? positiveNumber('seeds', flags.seeds, true) : config.sweep.seeds,
    replayData: flags['replay-data'] ?? config.datasets.replay,
  }
}

/** A plan's grid, with the defaults of plans stored before the grid existed. */
export function planGridOf(plan: SweepPlan): Grid {
  return {lrs: plan.lrs, methods: plan.methods ?? [{type: 'full'}], replay: plan.replay ?? [0], interpolate: plan.interpolate ?? [1], seeds: plan.seeds ?? 1, ema: plan.ema?.evaluate ?? null}
}

/**
 * sweep.objective, refused (InputError) when no configured evaluator scores its metric (a user
 * module's metric is known only once loaded, so a config with one is taken on trust).
 */
function checkObjective(config: Config): Config['sweep']['objective'] {
  const {objective} = config.sweep
  const specs = config.eval.evaluators
  if (specs.some((e) => typeof e === 'object' && e.path !== undefined)) return objective
  const metrics = specs.map((e) => (typeof e === 'string' ? e : (e.metric ?? e.name!)))
  const hasThreshold = specs.some((e) => typeof e === 'object' && e.threshold !== undefined)
  if (metrics.includes(objective.metric) || (objective.metric === 'failRate' && hasThreshold)) return objective
  throw new InputError(`sweep.objective.metric "${objective.metric}" is not scored by eval.evaluators; write one of ${[...metrics, ...(hasThreshold ? ['failRate'] : [])].join(', ')}.`)
}

/** A sweep name makes the labels <name>/<candidate>: refused (InputError) when those would be reserved labels. */
function checkRunName(shownAs: string, name: string | null): string | null {
  if (name === null) return null
  const reason = reservedLabelReason(`${name}/base`) ?? (name.trim() === '' ? 'a name may not be empty' : null)
  if (reason !== null) throw new InputError(`${shownAs} "${name}": its evaluation labels (${name}/<candidate>) would be reserved: ${reason}; choose another name.`)
  return name
}
