import type {ReportedStep} from './run-trainer.js'

/** Relative difference beyond which a reported lr counts as differing from lr_schedule. */
export const LR_TOLERANCE = 1e-6

/**
 * Compares the lr a trainer reports with lr_schedule (the rate lrgate planned for that step).
 * Differing means |reported − planned| > 1e-6 · max(|reported|, |planned|).
 */
export class LrCheck {
  private logged = 0
  private differing = 0
  private first: {step: number; reported: number; planned: number} | null = null

  constructor(private readonly lrSchedule: readonly number[]) {}

  /** The warning to show the first time a step's lr differs; null otherwise. */
  check(step: ReportedStep): string | null {
    if (step.lr === null || step.lrStep >= this.lrSchedule.length) return null
    const planned = this.lrSchedule[step.lrStep]
    this.logged += 1
    if (Math.abs(step.lr - planned) <= LR_TOLERANCE * Math.max(Math.abs(step.lr), Math.abs(planned))) return null
    this.differing += 1
    if (this.first !== null) return null
    this.first = {step: step.lrStep, reported: step.lr, planned}
    return this.sentence()
  }

  /** The stored warning once the trainer is done (null when every reported lr matched). */
  summary(): string | null {
    return this.first === null ? null : this.sentence()
  }

  private sentence(): string {
    const f = this.first!
    return `the trainer's lr differs from lr_schedule (more than ${LR_TOLERANCE} relative) at ${this.differing} of ${this.logged} logged steps; first at step ${f.step}: reported ${f.reported}, lr_schedule ${f.planned}`
  }
}
