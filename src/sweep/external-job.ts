import {existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {resolveDatasetDir} from '../datasets/resolve.js'
import {validateSchedule} from '../schedule/index.js'
import {finishTraining, forgetStepsAfter, lossHistory, markCandidateRunning, recordSteps, setCandidateStatus} from '../store/candidates.js'
import type {Store} from '../store/db.js'
import {getCandidate} from '../store/runs-read.js'
import {setCandidateLogTail, setCandidateWarnings} from '../store/trainer-notes.js'
import {DivergenceDetector} from '../train/divergence.js'
import {candidateConfigJson, type CandidateSettings, placeholderValues} from '../trainer/candidate-config.js'
import {LrCheck} from '../trainer/lr-check.js'
import {describeExit, type ReportedStep, runTrainer} from '../trainer/run-trainer.js'
import {processesWithEnv, processGroupOf, stopForeignGroup} from '../trainer/supervisor.js'
import {renderTemplate} from '../trainer/template.js'
import {checkpointFolders} from '../trainer/trainer-state.js'
import type {Send, SweepJob} from './messages.js'
import type {TrainerPlan} from './trainer-plan.js'
import {maskSecrets} from '../process/index.js'

type CandidateJob = Extract<SweepJob, {kind: 'candidate'}>

/** Written beside {output_dir} when the trainer exited 0: the candidate is trained, evaluate it. */
export const TRAINED_MARKER = 'trainer-done.json'

export interface ExternalTraining {
  status: 'trained' | 'interrupted' | 'diverged' | 'failed'
  message: string
}

/**
 * Trains one candidate with the user's trainer (README "Your own trainer"): {output_dir} is the
 * candidate's model folder, trainer.log and the {config} file sit beside it. Steps reach the
 * database as the trainer reports them. Ends in one of: trained (evaluate next), interrupted
 * (pending, resumable), diverged, failed (exit status and the last log lines stored).
 */
export async function trainExternally(db: Store, job: CandidateJob, trainer: TrainerPlan, send: Send, stopReason: () => string | null): Promise<ExternalTraining> {
  const {plan} = job
  const candidateDir = job.runDir
  const row = getCandidate(db, job.candidateId)!
  const outputDir = row.artifactDir ?? join(candidateDir, 'model')
  const steps = row.stepsTotal
  if (existsSync(join(candidateDir, TRAINED_MARKER))) return {status: 'trained', message: 'already trained'}
  const mask = (text: string) => maskSecrets(text)

  // A trainer a dead sweep left running on this folder would write over the resumed one.
  await stopStrayTrainers(outputDir, (line) => send({type: 'log', line: `${job.label}: ${line}`}))

  const checkpoint = checkpointFolders(outputDir)[0]
  const stepsDone = checkpoint ? Math.min(checkpoint.n, steps) : 0
  if (!checkpoint) {
    rmSync(outputDir, {recursive: true, force: true})
    mkdirSync(outputDir, {recursive: true})
  }
  forgetStepsAfter(db, job.candidateId, stepsDone)
  setCandidateLogTail(db, job.candidateId, null)

  const schedule = validateSchedule({...plan.schedule}, {lr: job.lr, steps})
  const configFile = join(candidateDir, 'trainer-config.json')
  const settings: CandidateSettings = {
    lr: job.lr, steps, warmupSteps: schedule.warmup.steps, batchSize: plan.batchSize, seed: job.recipe?.seed ?? plan.seed, candidate: job.key,
    base: plan.baseModel, train: resolveDatasetDir(plan.train, plan.cwd), outputDir, config: configFile, resumeFrom: checkpoint?.path ?? '',
    schedule: {...plan.schedule, lr: job.lr, steps}, lrSchedule: Array.from({length: steps}, (_, t) => schedule.lrAt(t)),
    optimizer: plan.optimizer, clipNorm: plan.clipNorm, valEvery: plan.valEvery, checkpointEvery: plan.checkpointEvery, runId: job.runId,
  }
  writeFileSync(configFile, JSON.stringify(candidateConfigJson(settings), null, 2) + '\n')

  markCandidateRunning(db, job.candidateId)
  send({type: 'start', key: job.key, label: job.label, total: steps})
  if (checkpoint) send({type: 'log', line: `${job.label}: resuming the trainer from ${checkpoint.path}`})
  const detector = new DivergenceDetector(plan.divergence, lossHistory(db, job.candidateId))
  const lrCheck = new LrCheck(settings.lrSchedule)
  const seen = {last: null as ReportedStep | null, val: null as number | null, diverged: false}

  const outcome = await runTrainer({
    command: renderTemplate(trainer.command, placeholderValues(settings)),
    cwd: plan.cwd,
    env: {...process.env, LRGATE_CANDIDATE: job.key, LRGATE_RUN_ID: String(job.runId), LRGATE_OUTPUT_DIR: outputDir, LRGATE_THREADS: String(job.threads)},
    logFile: join(candidateDir, 'trainer.log'),
    mask,
    log: trainer.log,
    outputDir,
    timeoutMs: trainer.timeoutMinutes === null ? null : trainer.timeoutMinutes * 60_000,
    after: stepsDone - 1,
    shouldStop: stopReason,
    onStep: (s) => {
      const planned = settings.lrSchedule[Math.min(s.step, steps - 1)]
      const lr = s.lr !== null && s.lrStep === s.step ? s.lr : planned
      recordSteps(db, job.candidateId, s.step + 1, [{step: s.step, lr, loss: s.loss, gradNorm: s.gradNorm ?? Number.NaN, clipped: false, tokensPerS: 0, valLoss: s.valLoss}])
      seen.last = s
      if (s.valLoss !== null) seen.val = s.valLoss
      send({type: 'progress', key: job.key, value: s.step + 1, fields: {phase: 'train', loss: s.loss, lr}})
      const warning = lrCheck.check(s)
      if (warning) {
        setCandidateWarnings(db, job.candidateId, [warning])
        send({type: 'log', line: `${job.label}: warning: ${warning}`})
      }
      const diverged = detector.check(s.loss)
      if (diverged === null) return null
      seen.diverged = true
      return `${diverged} at step ${s.step}`
    },
  })
  const summary = lrCheck.summary()
  if (summary) setCandidateWarnings(db, job.candidateId, [summary])
  const done = seen.last === null ? stepsDone : seen.last.step + 1
  const finalLoss = seen.last?.loss ?? null
  const lastVal = seen.val

  if (outcome.status === 'stopped' && !seen.diverged) {
    setCandidateStatus(db, job.candidateId, 'pending', `interrupted after step ${done}`)
    return {status: 'interrupted', message: `interrupted after step ${done}`}
  }
  if (outcome.status === 'stopped') {
    finishTraining(db, job.candidateId, {status: 'diverged', reason: outcome.reason, stepsDone: done, finalTrainLoss: finalLoss, finalValLoss: lastVal})
    return {status: 'diverged', message: outcome.reason ?? 'diverged'}
  }
  const failure = outcome.status === 'timeout'
    ? `the trainer ran longer than trainer.timeoutMinutes (${trainer.timeoutMinutes} min) and was stopped`
    : outcome.exitCode !== 0 ? describeExit(outcome) : null
  if (failure !== null) {
    const message = mask(`${failure} after ${done} of ${steps} steps; its last log lines are in ${join(candidateDir, 'trainer.log')} (lrgate runs show ${job.runId})`)
    finishTraining(db, job.candidateId, {status: 'failed', reason: message, stepsDone: done, finalTrainLoss: finalLoss, finalValLoss: lastVal})
    setCandidateLogTail(db, job.candidateId, outcome.tail)
    for (const line of outcome.tail) send({type: 'log', line: `${job.label} | ${line}`})
    return {status: 'failed', message}
  }
  writeFileSync(join(candidateDir, TRAINED_MARKER), JSON.stringify({exitCode: 0, stepsReported: done, finishedAt: new Date().toISOString()}) + '\n')
  finishTraining(db, job.candidateId, {status: 'running', reason: null, stepsDone: Math.max(done, stepsDone), finalTrainLoss: finalLoss, finalValLoss: lastVal})
  return {status: 'trained', message: finalLoss === null ? 'trained (no steps reported)' : `trained, loss ${finalLoss.toFixed(3)}`}
}

/** Stops (SIGTERM, then SIGKILL) every process group still running with LRGATE_OUTPUT_DIR = this folder. */
async function stopStrayTrainers(outputDir: string, log: (line: string) => void): Promise<void> {
  const groups = new Set<number>()
  for (const pid of processesWithEnv('LRGATE_OUTPUT_DIR', outputDir)) {
    const pgid = processGroupOf(pid)
    if (pgid !== null && pgid !== process.pid) groups.add(pgid)
  }
  for (const pgid of groups) {
    log(`stopping a trainer left running on ${outputDir} (process group ${pgid})`)
    await stopForeignGroup(pgid)
  }
}
