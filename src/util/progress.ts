/**
 * What long work reports progress through. Stages (sweep, find-lr) take a Progress; the terminal
 * implementation lives in report/progress.ts, above them, so no stage imports the renderer.
 */
/** What a task's total counts: optimizer steps, or percent of an evaluation. */
export type ProgressUnit = 'steps' | 'percent'

export interface ProgressFields {
  phase?: string
  loss?: number
  lr?: number
  tokensPerS?: number
}

/**
 * Progress of long work on stderr (stdout stays clean for --json): live bars with steps/s and
 * ETA on a terminal, plain timestamped lines in CI logs — never a silent minute either way.
 */
export interface Progress {
  start(key: string, label: string, total: number, unit?: ProgressUnit): void
  update(key: string, value: number, fields?: ProgressFields): void
  finish(key: string, message: string): void
  /** a line of its own (above the bars on a terminal) */
  log(line: string): void
  stop(): void
}
