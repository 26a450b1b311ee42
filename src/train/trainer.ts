import * as tf from '@tensorflow/tfjs-core'

import type {OptimizerConfig} from '../config/schema.js'
import type {Gpt, TokenBatch} from '../model/gpt.js'
import {DivergenceDetector, type DivergenceRule} from './divergence.js'
import type {WeightEma} from './ema.js'
import {clipScale, globalNorm, Optimizer, type OptimizerState} from './optimizer.js'
import {crossEntropy} from '../model/ops/cross-entropy.js'
import {type Replay, replayRows, type TokenStream, trainingBatch, validationBatches} from './token-stream.js'

/** One optimizer step as the store keeps it (train_steps). */
import type {StepRecord} from '../store/candidates.js'

export type {StepRecord}

export type TrainStatus = 'completed' | 'diverged' | 'stopped'

export interface TrainResult {
  status: TrainStatus
  reason: string | null
  stepsDone: number
  finalTrainLoss: number | null
  finalValLoss: number | null
}

export interface TrainOptions {
  model: Gpt
  train: TokenStream
  /** rehearsal: this share of each batch comes from general text; its loss is reported apart */
  replay?: Replay
  valid?: TokenStream
  steps: number
  batchSize: number
  /** learning rate at 0-based optimizer step t */
  schedule: (step: number) => number
  /** told after every step (a schedule decided during training: reduce-on-plateau, the learned controller) */
  observe?: (observation: {step: number; lr: number; loss: number; valLoss: number | null}) => void
  optimizer: OptimizerConfig
  clipNorm: number
  /**
   * Scheduled values besides the lr (sweep.schedules), each at 0-based optimizer step t; absent:
   * the constants batchSize, clipNorm and optimizer.weightDecay. A step's batch never exceeds batchSize.
   */
  batchSizeAt?: (step: number) => number
  clipNormAt?: (step: number) => number
  weightDecayAt?: (step: number) => number
  /** an average of the trainable weights, updated after every optimizer step (sweep.ema; the caller saves it with checkpoints) */
  ema?: WeightEma
  seed: number
  valEvery: number
  /** validation batches per evaluation (windows of the validation stream) */
  valBatches?: number
  checkpointEvery: number
  divergence: DivergenceRule
  /** continue after `step` steps, with the optimizer state and recent losses of a checkpoint */
  resume?: {step: number; optimizer: OptimizerState; lossHistory: number[]}
  onStep?: (record: StepRecord) => void
  /** persist a checkpoint after `stepsDone` steps with the records since the last one */
  onCheckpoint?: (stepsDone: number, optimizer: OptimizerState, records: StepRecord[]) => Promise<void> | void
  /** asked before every step (its 0-based index): a reason stops the run (Ctrl-C, a rung) after a checkpoint */
  shouldStop?: (step: number) => string | null
}

/** Mean loss over fixed validation batches, weighted by the number of counted targets. */
export function validationLoss(model: Gpt, batches: TokenBatch[]): number {
  let sum = 0, weight = 0
  for (const batch of batches) {
    const w = batch.weights!.reduce((a, b) => a + b, 0)
    if (w === 0) continue
    const loss = tf.tidy(() => model.loss(batch).dataSync()[0])
    sum += loss * w
    weight += w
  }
  return weight > 0 ? sum / weight : Number.NaN
}

/**
 * The fine-tune loop: per step the scheduled lr, a seeded batch, loss and gradients of every
 * weight, global-norm clipping, an optimizer update; validation every `valEvery` steps and a
 * checkpoint every `checkpointEvery`. A diverging loss ends the run with a reason, never a throw.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const {model, steps, batchSize: B} = options
  const T = model.config.contextLength
  const optimizer = new Optimizer(options.optimizer, options.resume?.optimizer)
  const detector = new DivergenceDetector(options.divergence, options.resume?.lossHistory)
  const valBatches = options.valid ? validationBatches(options.valid, B, T, options.valBatches ?? 4) : []
  // With LoRA adapters attached only they train (and only they get optimizer state); the base stays frozen.
  const trainable = model.trainable()
  const variables = [...trainable.values()]
  const nameOf = new Map([...trainable].map(([name, v]) => [v.name, name]))
  let pending: StepRecord[] = []
  let last: StepRecord | null = null
  let lastVal: number | null = null
  const start = options.resume?.step ?? 0
  options.ema?.start(trainable)

  const checkpoint = async (done: number) => {
    await options.onCheckpoint?.(done, optimizer.state, pending)
    pending = []
  }

  for (let step = start; step < steps; step++) {
    // Let the event loop run between steps: signals (Ctrl-C), IPC progress and timers get through.
    await new Promise((resolve) => setImmediate(resolve))
    const stop = options.shouldStop?.(step)
    if (stop) {
      await checkpoint(step)
      return {status: 'stopped', reason: stop, stepsDone: step, finalTrainLoss: last?.loss ?? null, finalValLoss: lastVal}
    }
    const began = performance.now()
    const lr = options.schedule(step)
    const rows = options.batchSizeAt?.(step) ?? B
    const clipNorm = options.clipNormAt?.(step) ?? options.clipNorm
    const weightDecay = options.weightDecayAt?.(step) ?? options.optimizer.weightDecay
    const batch = trainingBatch(options.train, rows, T, options.seed, step, options.replay)
    const replayShare = options.replay ? replayRows(rows, options.replay.share) : 0
    let parts: {target: number; replay: number} | null = null
    const {value, grads} = tf.variableGrads(() => {
      if (replayShare === 0) return model.loss(batch, true, step)
      const split = splitLoss(model, batch, rows - replayShare, step)
      parts = split.parts
      return split.loss
    }, variables)
    const loss = value.dataSync()[0]
    const named = new Map(Object.entries(grads).map(([k, g]) => [nameOf.get(k)!, g]))
    const diverged = detector.check(loss)
    let gradNorm = Number.NaN, scale = 1
    if (diverged === null) {
      gradNorm = globalNorm(named.values())
      if (!Number.isFinite(gradNorm)) {
        tf.dispose([value, ...named.values()])
        await checkpoint(step)
        return {status: 'diverged', reason: `gradient norm became ${gradNorm} at step ${step}`, stepsDone: step, finalTrainLoss: loss, finalValLoss: lastVal}
      }
      scale = clipScale(gradNorm, clipNorm)
      optimizer.step(trainable, named, lr, scale, weightDecay)
    }
    tf.dispose([value, ...named.values()])
    if (diverged !== null) {
      await checkpoint(step)
      return {status: 'diverged', reason: `${diverged} at step ${step}`, stepsDone: step, finalTrainLoss: loss, finalValLoss: lastVal}
    }

    const emaDecay = options.ema ? options.ema.update(trainable) : null
    const isLast = step === steps - 1
    // Schedule-free AdamW is evaluated at its averaged weights (the parameters hold y while training).
    const valLoss = valBatches.length > 0 && ((step + 1) % options.valEvery === 0 || isLast) ? atAveraged(optimizer, trainable, () => validationLoss(model, valBatches)) : null
    if (valLoss !== null) lastVal = valLoss
    const seconds = (performance.now() - began) / 1000
    const split = parts as {target: number; replay: number} | null
    last = {
      step, lr, loss, gradNorm, clipped: scale < 1, tokensPerS: (rows * T) / seconds, valLoss, ...(split ? {targetLoss: split.target, replayLoss: split.replay} : {}),
      batchSize: rows, clipNorm, weightDecay, emaDecay,
    }
    pending.push(last)
    options.observe?.({step, lr, loss, valLoss})
    options.onStep?.(last)
    if ((step + 1) % options.checkpointEvery === 0 || isLast) await checkpoint(step + 1)
  }
  // The finished model is the averaged one (schedule-free AdamW; nothing changes for the others).
  optimizer.useAveraged(trainable)
  return {status: 'completed', reason: null, stepsDone: steps, finalTrainLoss: last?.loss ?? null, finalValLoss: lastVal}
}

/** Runs `f` with the optimizer's averaged weights in the parameters, then restores the training point. */
function atAveraged<T>(optimizer: Optimizer, params: Map<string, tf.Variable>, f: () => T): T {
  const restore = optimizer.useAveraged(params)
  try {
    return f()
  } finally {
    restore()
  }
}

/**
 * The loss of a batch whose first `targetRows` rows are the fine-tune data and the rest replay:
 * one forward pass, the mean weighted cross-entropy over all rows (the same as model.loss), and
 * each part's own mean (read for the record; NaN for a part without counted tokens).
 */
function splitLoss(model: Gpt, batch: TokenBatch, targetRows: number, step: number): {loss: tf.Scalar; parts: {target: number; replay: number}} {
  const T = batch.time
  const logits = model.head(model.hidden(batch, true, step))
  const n = targetRows * T, N = batch.batch * T
  const part = (from: number, size: number) => {
    const w = batch.weights!.subarray(from, from + size)
    const weight = w.reduce((a, b) => a + b, 0)
    const loss = crossEntropy(tf.slice(logits, [from, 0], [size, -1]), tf.tensor1d(batch.targets!.subarray(from, from + size), 'int32'), tf.tensor1d(w, 'float32'))
    return {loss, weight}
  }
  const t = part(0, n), r = part(n, N - n)
  const total = Math.max(t.weight + r.weight, 1e-12)
  const loss = tf.add(tf.mul(t.loss, t.weight / total), tf.mul(r.loss, r.weight / total)) as tf.Scalar
  const parts = {target: t.weight > 0 ? t.loss.dataSync()[0] : Number.NaN, replay: r.weight > 0 ? r.loss.dataSync()[0] : Number.NaN}
  return {loss, parts}
}
