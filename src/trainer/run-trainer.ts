import {appendFileSync, mkdirSync} from 'node:fs'
import {dirname} from 'node:path'
import {createInterface} from 'node:readline'

import {spawnSupervised} from '../process/index.js'

import {parseStepLine, type TrainerStep} from './step-log.js'
import {latestTrainerState} from './trainer-state.js'

/** Where the steps come from: JSON lines on stdout, or Hugging Face's trainer_state.json. */
export type TrainerLogSource = 'jsonl' | 'trainer_state'

/** A step as the sweep receives it; `lrStep` is the step whose rate `lr` is (trainer_state: the next one). */
export type ReportedStep = TrainerStep & {lrStep: number}

export interface TrainerRun {
  /** the rendered command line (run with /bin/sh -c) */
  command: string
  cwd: string
  env: NodeJS.ProcessEnv
  /** lines that are not steps go here (masked), appended */
  logFile: string
  mask: (text: string) => string
  log: TrainerLogSource
  /** trainer_state: the folder whose trainer_state.json (or newest checkpoint-*'s) is read */
  outputDir: string
  timeoutMs: number | null
  /** how often trainer_state.json is read while the trainer runs */
  pollMs?: number
  /** steps are delivered once each, in order, only those after `after` (resume) */
  after?: number
  /** a new step; a returned reason (divergence) stops the trainer */
  onStep: (step: ReportedStep) => string | null
  /** asked every 200 ms: a reason (Ctrl-C) stops the trainer */
  shouldStop: () => string | null
  /** stop grace before SIGKILL (tests shorten it) */
  graceMs?: number
}

export interface TrainerOutcome {
  /** exited: by itself (see exitCode/signal); stopped: by lrgate for `reason`; timeout: over the limit */
  status: 'exited' | 'stopped' | 'timeout'
  exitCode: number | null
  signal: string | null
  reason: string | null
  /** the last 20 log lines (stdout lines that are not steps, and stderr), masked */
  tail: string[]
}

const TAIL = 20

/**
 * Runs one external trainer to its end in its own process group, turning its log into steps as they
 * arrive. Stops the group (SIGTERM, then SIGKILL after the grace) on a stop reason, a diverging
 * step or the timeout. Never throws for anything the trainer does.
 */
export async function runTrainer(run: TrainerRun): Promise<TrainerOutcome> {
  mkdirSync(dirname(run.logFile), {recursive: true})
  const tail: string[] = []
  let last = run.after ?? -1
  let stopFor: {status: 'stopped' | 'timeout'; reason: string} | null = null
  // Its own process group behind src/process's guardian: stopped as a whole, never outliving lrgate.
  const supervised = spawnSupervised('/bin/sh', ['-c', run.command], {cwd: run.cwd, env: run.env, stdio: ['ignore', 'pipe', 'pipe']})
  const child = supervised.child

  const stop = (status: 'stopped' | 'timeout', reason: string): void => {
    if (stopFor) return
    stopFor = {status, reason}
    void supervised.stop(run.graceMs === undefined ? {} : {graceMs: run.graceMs})
  }
  const logLine = (raw: string): void => {
    const line = run.mask(raw)
    appendFileSync(run.logFile, `${line}\n`)
    tail.push(line)
    if (tail.length > TAIL) tail.shift()
  }
  const deliver = (step: ReportedStep): void => {
    if (stopFor || step.step <= last) return
    last = step.step
    const reason = run.onStep(step)
    if (reason) stop('stopped', reason)
  }
  const readState = (): void => {
    const state = latestTrainerState(run.outputDir)
    if (state) for (const s of state.steps) deliver(s)
  }

  createInterface({input: child.stdout!}).on('line', (line) => {
    const step = run.log === 'jsonl' ? parseStepLine(line) : null
    if (step) deliver({...step, lrStep: step.step})
    else logLine(line)
  })
  createInterface({input: child.stderr!}).on('line', logLine)

  const timer = run.timeoutMs === null ? null : setTimeout(() => stop('timeout', `over ${run.timeoutMs} ms`), run.timeoutMs)
  const poll = setInterval(() => {
    const reason = run.shouldStop()
    if (reason) stop('stopped', reason)
  }, 200)
  const statePoll = run.log === 'trainer_state' ? setInterval(readState, run.pollMs ?? 2000) : null

  // 'close': the output is read to its end (src/process kills what the leader left in its group when it exits)
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const {code, signal} = await supervised.exited
  await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))])
  if (timer) clearTimeout(timer)
  clearInterval(poll)
  if (statePoll) clearInterval(statePoll)
  if (run.log === 'trainer_state' && !stopFor) readState()
  const outcome = stopFor as {status: 'stopped' | 'timeout'; reason: string} | null
  return {status: outcome?.status ?? 'exited', exitCode: code, signal, reason: outcome?.reason ?? null, tail}
}

/** One sentence for how a trainer ended badly, e.g. "the trainer exited with status 3". */
export function describeExit(outcome: TrainerOutcome): string {
  if (outcome.signal) return `the trainer was killed by ${outcome.signal}`
  return `the trainer exited with status ${outcome.exitCode}`
}
