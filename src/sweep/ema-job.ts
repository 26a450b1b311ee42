import type {EmaSettings} from '../config/schema.js'
import type {Dataset} from '../datasets/types.js'
import type {Gpt} from '../model/gpt.js'
import {saveTuned} from '../model/io.js'
import type {CharTokenizer} from '../model/tokenizer.js'
import {markCandidateEvaluated} from '../store/candidates.js'
import type {Store} from '../store/db.js'
import {getCandidate} from '../store/runs-read.js'
import type {WeightEma} from '../train/ema.js'
import {evaluateCandidate} from './evaluate-candidate.js'
import type {CandidateJobRecipe, Send, SweepJob} from './messages.js'

type CandidateJob = Extract<SweepJob, {kind: 'candidate'}>

/** What a saved average records about itself (model metadata `ema`). */
export function emaMetadata(settings: EmaSettings, ema: WeightEma): Record<string, unknown> {
  return {decay: settings.decay, warmup: settings.warmup ? 'min(decay, (1 + t) / (10 + t))' : 'none', updates: ema.state.updates}
}

/**
 * Saves the weight average of a finished fine-tune into `dir` (its adapter into `adapterDir` for
 * LoRA): the average is swapped into the model, saved like any tuned model, and the trained
 * weights are put back, so the caller can save those next.
 */
export async function saveAverage(
  model: Gpt, tokenizer: CharTokenizer, ema: WeightEma, to: {dir: string; adapterDir: string | null; base: string}, metadata: Record<string, unknown>,
): Promise<void> {
  const restore = ema.swapIn(model.trainable())
  try {
    await saveTuned(to.dir, model, tokenizer, metadata, to.adapterDir ? {dir: to.adapterDir, base: to.base} : undefined)
  } finally {
    restore()
  }
}

/**
 * sweep.ema alongside: evaluates the `+ema` candidate of a trained one (its folder written by
 * saveAverage) by the same route as every candidate, and marks it completed; it is gated with the
 * others. Skipped when already evaluated, so a resumed job does only what is left.
 */
export async function evaluateAverage(
  db: Store, ctx: {job: CandidateJob; recipe: CandidateJobRecipe; evalSet: Dataset; backend: string; send: Send; stopReason: () => string | null},
): Promise<void> {
  const item = ctx.recipe.ema
  if (!item || getCandidate(db, item.candidateId)?.status === 'completed') return
  const {send} = ctx
  send({type: 'start', key: item.key, label: `${item.label.split('/').pop()} eval`, total: 100, unit: 'percent'})
  const job = {...ctx.job, key: item.key, label: item.label, candidateId: item.candidateId}
  const onProgress = (f: number, phase: string) => send({type: 'progress', key: item.key, value: Math.round(100 * f), fields: {phase}})
  const evaluationId = await evaluateCandidate(db, job, item.modelDir, ctx.evalSet, ctx.backend, ctx.stopReason, onProgress, send)
  markCandidateEvaluated(db, item.candidateId, evaluationId)
  send({type: 'done', key: item.key, status: 'completed', evaluationId, message: 'weight average; evaluated'})
}
