import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {initBackend} from '../compute/backend.js'
import {loadDataset} from '../datasets/load.js'
import {loadModel, saveTuned} from '../model/io.js'
import {initAdapters} from '../model/lora.js'
import {adaptiveSchedule} from '../schedule/index.js'
import {candidateStepsTotal, finishTraining, forgetStepsAfter, lossHistory, markCandidateEvaluated, markCandidateRunning, recordSteps, candidateSteps, setCandidateStatus} from '../store/candidates.js'
import {hasCheckpoint, loadCheckpoint, saveCheckpoint} from '../train/checkpoint.js'
import {settleReplacedDir} from '../util/replace-dir.js'
import {train, type TrainResult, validationLoss} from '../train/trainer.js'
import {buildTokenStream, validationBatches} from '../train/token-stream.js'
import {scoreRecords} from '../model/score.js'
import type {Gpt, TokenBatch} from '../model/gpt.js'
import {modelSnapshot} from '../model/prediction-stats.js'
import type {CharTokenizer} from '../model/tokenizer.js'
import type {Dataset, DatasetRecord} from '../datasets/types.js'
import {InputError} from '../errors.js'
import type {Store} from '../store/db.js'
import {recordRung} from '../store/rungs.js'
import {probeRecords} from './probe.js'
import {deriveSeed} from '../util/rng.js'
import {OutputsCommandError} from './evaluate-command.js'
import {evaluateCandidate} from './evaluate-candidate.js'
import {emaMetadata, evaluateAverage, saveAverage} from './ema-job.js'
import {planValues} from './plan-schedules.js'
import {WeightEma} from '../train/ema.js'
import {trainExternally} from './external-job.js'
import type {Send, SweepJob} from './messages.js'
import {evaluationRoute} from './trainer-plan.js'
import {splitTraining} from './training-data.js'
import {evaluateInterpolations} from './interpolate-job.js'
import {openWorkerDb} from './worker-db.js'

type CandidateJob = Extract<SweepJob, {kind: 'candidate'}>

/** At a rung: the target validation loss and the out-of-domain probe's NLL, stored for the decision. */
async function measureRung(db: Store, job: CandidateJob, model: Gpt, tokenizer: CharTokenizer, valid: DatasetRecord[], step: number): Promise<void> {
  const {plan} = job
  const valLoss = validationLoss(model, validationBatches(buildTokenStream(valid, tokenizer), plan.batchSize, model.config.contextLength, 4))
  const evalSet = await loadDataset(plan.eval, {cwd: plan.cwd})
  const probe = scoreRecords(model, tokenizer, probeRecords(evalSet, plan.earlyStopping.probeRecords, plan.seed), 64)
  recordRung(db, job.candidateId, step, valLoss, {nll: probe.reduce((a, p) => a + p.nll, 0), tokens: probe.reduce((a, p) => a + p.tokens, 0)})
}

/**
 * One candidate, start to end: fine-tune from the base model (or its last checkpoint), save the
 * model, evaluate it. With `plan.trainer` the user's trainer fine-tunes instead (external-job.ts). Steps reach the database together with checkpoints, so a kill at any moment
 * resumes from the last checkpoint with no duplicated or missing rows.
 */
export async function runCandidateJob(job: CandidateJob, send: Send, stopReason: () => string | null): Promise<void> {
  const {plan} = job
  const recipe = job.recipe ?? {seed: plan.seed, lora: null, adapterDir: null, replay: 0, evaluated: false, interpolations: []}
  const db = openWorkerDb(job.dbPath)
  try {
    const backend = await initBackend(job.backend, {threads: job.threads})
    send({type: 'backend', name: backend.name, reason: backend.reason})
    const modelDir = join(job.runDir, 'model')
    const checkpointDir = join(job.runDir, 'checkpoint')
    // A worker killed while it replaced one of these folders (a double Ctrl-C, kill -9) left
    // <dir>.old-<pid> or <dir>.tmp-<pid> beside it: restore or remove them before reading.
    for (const dir of [modelDir, checkpointDir, join(job.runDir, 'adapter')]) settleReplacedDir(dir)
    const steps = candidateStepsTotal(db, job.candidateId)
    let result: TrainResult | null = null
    let trained: string | null = null

    if (plan.trainer) {
      const external = await trainExternally(db, job, plan.trainer, send, stopReason)
      if (external.status !== 'trained') {
        send({type: 'done', key: job.key, status: external.status, evaluationId: null, message: external.message})
        return
      }
      trained = external.message
    } else if (!existsSync(modelDir)) {
      const trainSet = await loadDataset(plan.train, {cwd: plan.cwd})
      const split = splitTraining(trainSet, plan.seed)
      const start = hasCheckpoint(checkpointDir) ? loadCheckpoint(checkpointDir) : {...loadModel(plan.baseModel), stepsDone: 0, optimizer: undefined, ema: undefined}
      if (recipe.lora && !start.model.loraSpec) start.model.attachAdapters(recipe.lora, initAdapters(start.model.config, recipe.lora, recipe.seed))
      const replay = recipe.replay > 0 ? {stream: await replayStream(plan, start.tokenizer), share: recipe.replay} : undefined
      forgetStepsAfter(db, job.candidateId, start.stepsDone)
      // A schedule decided during training (plateau) is rebuilt on resume from the stored steps.
      // a learned controller of format 2 reads the model's predictions on the first validation batch
      let inspectBatch: TokenBatch | undefined
      const inspect = () => modelSnapshot(start.model, (inspectBatch ??= validationBatches(buildTokenStream(split.valid, start.tokenizer), plan.batchSize, start.model.config.contextLength, 1)[0]))
      const schedule = adaptiveSchedule(plan.schedule, {lr: job.lr, steps}, {inspect})
      if (schedule.adaptive && start.stepsDone > 0) {
        for (const s of candidateSteps(db, job.candidateId)) schedule.observe(s)
      }
      // Batch size, clip norm and weight decay are closed-form in the step: a resumed run recomputes them; the EMA comes from the checkpoint.
      const values = planValues(plan, steps)
      const ema = plan.ema ? new WeightEma(plan.ema.decay, plan.ema.warmup, start.ema) : undefined
      markCandidateRunning(db, job.candidateId)
      send({type: 'start', key: job.key, label: job.label, total: steps})
      if (start.stepsDone > 0) send({type: 'log', line: `${job.label}: resuming from the checkpoint after step ${start.stepsDone}`})
      result = await train({
        model: start.model,
        train: buildTokenStream(split.train, start.tokenizer),
        ...(replay ? {replay} : {}),
        valid: buildTokenStream(split.valid, start.tokenizer),
        steps,
        batchSize: plan.batchSize,
        schedule: (step) => schedule.lrAt(step),
        observe: (o) => schedule.observe(o),
        optimizer: plan.optimizer,
        clipNorm: plan.clipNorm,
        ...values,
        ...(ema ? {ema} : {}),
        seed: deriveSeed(recipe.seed, 'batches'),
        valEvery: plan.valEvery,
        checkpointEvery: plan.checkpointEvery,
        divergence: plan.divergence,
        ...(start.optimizer ? {resume: {step: start.stepsDone, optimizer: start.optimizer, lossHistory: lossHistory(db, job.candidateId)}} : {}),
        onStep: (s) => send({type: 'progress', key: job.key, value: s.step + 1, fields: {phase: 'train', loss: s.loss, lr: s.lr, tokensPerS: s.tokensPerS}}),
        onCheckpoint: async (done, optimizer, records) => {
          recordSteps(db, job.candidateId, done, records)
          if (done < steps) await saveCheckpoint(checkpointDir, start.model, start.tokenizer, optimizer, done, plan.baseModel, ema?.state)
        },
        shouldStop: (step) => stopReason() ?? (step === job.stopAt ? 'rung' : null),
      })
      if (result.status === 'stopped' && result.reason === 'rung') {
        await measureRung(db, job, start.model, start.tokenizer, split.valid, result.stepsDone)
        setCandidateStatus(db, job.candidateId, 'pending', `paused at step ${result.stepsDone} for the rung decision`)
        start.model.dispose()
        send({type: 'done', key: job.key, status: 'paused', evaluationId: null, message: `paused at step ${result.stepsDone}`})
        return
      }
      if (result.status === 'stopped') {
        setCandidateStatus(db, job.candidateId, 'pending', `interrupted after step ${result.stepsDone}`)
        start.model.dispose()
        send({type: 'done', key: job.key, status: 'interrupted', evaluationId: null, message: `interrupted after step ${result.stepsDone}`})
        return
      }
      if (result.status === 'diverged') {
        finishTraining(db, job.candidateId, {status: 'diverged', reason: result.reason, stepsDone: result.stepsDone, finalTrainLoss: result.finalTrainLoss, finalValLoss: result.finalValLoss})
        rmSync(checkpointDir, {recursive: true, force: true})
        start.model.dispose()
        send({type: 'done', key: job.key, status: 'diverged', evaluationId: null, message: result.reason ?? 'diverged'})
        return
      }
      const fineTune = {
        dataset: plan.train, lr: job.lr, steps, schedule: plan.schedule, optimizer: plan.optimizer, seed: recipe.seed, run: job.runId, candidate: job.label,
        method: recipe.lora ? {type: 'lora', ...recipe.lora} : {type: 'full'}, ...(recipe.replay > 0 ? {replay: {dataset: plan.replayData, share: recipe.replay}} : {}),
      }
      const averaged = ema && plan.ema ? {ema: emaMetadata(plan.ema, ema)} : {}
      // sweep.ema alongside: the average goes to its `+ema` candidate first (the trained model's folder marks the job trained).
      if (ema && recipe.ema) await saveAverage(start.model, start.tokenizer, ema, {dir: recipe.ema.modelDir, adapterDir: recipe.ema.adapterDir, base: plan.baseModel}, {base: plan.baseModel, fineTune, ...averaged})
      // sweep.ema instead: the candidate's model is the average.
      if (ema && plan.ema?.evaluate === 'instead') ema.swapIn(start.model.trainable())
      await saveTuned(modelDir, start.model, start.tokenizer, {base: plan.baseModel, fineTune, ...(plan.ema?.evaluate === 'instead' ? averaged : {})}, recipe.adapterDir ? {dir: recipe.adapterDir, base: plan.baseModel} : undefined)
      finishTraining(db, job.candidateId, {status: 'running', reason: null, stepsDone: steps, finalTrainLoss: result.finalTrainLoss, finalValLoss: result.finalValLoss})
      rmSync(checkpointDir, {recursive: true, force: true})
      start.model.dispose()
    } else {
      send({type: 'log', line: `${job.label}: already trained; evaluating ${modelDir}`})
    }

    if (stopReason() !== null) {
      send({type: 'done', key: job.key, status: 'interrupted', evaluationId: null, message: 'trained; stopped before its evaluation'})
      return
    }
    const evalSet = await loadDataset(plan.eval, {cwd: plan.cwd})
    const evalKey = `${job.key} eval`
    let evaluationId: number | null = null
    if (!recipe.evaluated) {
      send({type: 'start', key: evalKey, label: `${job.label.split('/').pop()} eval`, total: 100, unit: 'percent'})
      try {
        evaluationId = await evaluateCandidate(db, job, modelDir, evalSet, backend.name, stopReason, (f, phase) => send({type: 'progress', key: evalKey, value: Math.round(100 * f), fields: {phase}}), send)
      } catch (error) {
        // What an external trainer left cannot be evaluated: that candidate failed, the others go on.
        if (!plan.trainer || !(error instanceof InputError || error instanceof OutputsCommandError)) throw error
        const message = `the trainer exited 0 but its output cannot be evaluated: ${(error as Error).message}${evaluationRoute(plan.evaluation).kind !== 'model' ? '' : ' ({output_dir} must hold an lrgate model folder, or set eval.serveCommand or eval.outputsCommand)'}`
        finishTraining(db, job.candidateId, {status: 'failed', reason: message, stepsDone: steps, finalTrainLoss: null, finalValLoss: null})
        send({type: 'done', key: evalKey, status: 'failed', evaluationId: null, message: 'not evaluated'})
        send({type: 'done', key: job.key, status: 'failed', evaluationId: null, message})
        return
      }
      send({type: 'done', key: evalKey, status: 'completed', evaluationId, message: 'evaluated'})
      markCandidateEvaluated(db, job.candidateId, evaluationId)
    }
    // WiSE-FT: the interpolated candidates of this fine-tune, made from its stored weights (no training).
    await evaluateInterpolations(db, {job, recipe, modelDir, evalSet, backend: backend.name, send})
    await evaluateAverage(db, {job, recipe, evalSet, backend: backend.name, send, stopReason})
    const how = result ? `trained, loss ${result.finalTrainLoss?.toFixed(3)}; evaluated` : trained ? `${trained}; evaluated` : 'evaluated'
    send({type: 'done', key: job.key, status: 'completed', evaluationId, message: how})
  } finally {
    db.close()
  }
}

/** The replay stream: every record of datasets.replay (its `valid:*` cohorts too: they are general text), in file order. */
async function replayStream(plan: CandidateJob['plan'], tokenizer: CharTokenizer) {
  const set = await loadDataset(plan.replayData!, {cwd: plan.cwd})
  return buildTokenStream(set.records, tokenizer)
}
