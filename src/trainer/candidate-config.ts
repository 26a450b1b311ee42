import type {TrainerPlaceholder} from './template.js'

/** What lrgate knows about one candidate that its trainer needs (the values of every placeholder). */
export interface CandidateSettings {
  lr: number
  steps: number
  warmupSteps: number
  batchSize: number
  seed: number
  candidate: string
  /** absolute paths */
  base: string
  train: string
  outputDir: string
  config: string
  /** the newest checkpoint-<n> folder when resuming, else '' */
  resumeFrom: string
  /** the sweep's schedule spec with this candidate's lr and steps */
  schedule: Record<string, unknown>
  /** lr_schedule[t]: the rate at 0-based optimizer step t */
  lrSchedule: number[]
  /** the rest of the sweep's training settings, for trainers that want them */
  optimizer: Record<string, unknown>
  clipNorm: number
  valEvery: number
  checkpointEvery: number
  runId: number
}

/** Each placeholder's value as text (numbers as JavaScript prints them: 0.0001, 1e-7). */
export function placeholderValues(s: CandidateSettings): Record<TrainerPlaceholder, string> {
  return {
    lr: String(s.lr),
    steps: String(s.steps),
    warmup_steps: String(s.warmupSteps),
    batch_size: String(s.batchSize),
    seed: String(s.seed),
    candidate: s.candidate,
    base: s.base,
    train: s.train,
    output_dir: s.outputDir,
    config: s.config,
    resume_from: s.resumeFrom,
  }
}

/**
 * The `{config}` file: every placeholder's value (numbers as numbers), the schedule spec, and
 * `lr_schedule` — the rate of every step, so no trainer reimplements a schedule family — plus the
 * sweep's optimizer, clipping and validation settings under lrgate's names.
 */
export function candidateConfigJson(s: CandidateSettings): Record<string, unknown> {
  return {
    lr: s.lr,
    steps: s.steps,
    warmup_steps: s.warmupSteps,
    batch_size: s.batchSize,
    seed: s.seed,
    candidate: s.candidate,
    base: s.base,
    train: s.train,
    output_dir: s.outputDir,
    config: s.config,
    resume_from: s.resumeFrom,
    run_id: s.runId,
    schedule: s.schedule,
    lr_schedule: s.lrSchedule,
    optimizer: s.optimizer,
    clip_norm: s.clipNorm,
    val_every: s.valEvery,
    checkpoint_every: s.checkpointEvery,
  }
}
