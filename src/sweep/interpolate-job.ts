import * as tf from '@tensorflow/tfjs-core'

import type {Dataset} from '../datasets/types.js'
import {readAdapterDir} from '../model/adapter-files.js'
import {Gpt} from '../model/gpt.js'
import {saveModel} from '../model/io.js'
import {interpolateWeights, mergeAdapters} from '../model/lora.js'
import {readModelConfig, readModelDir} from '../model/model-files.js'
import {markCandidateEvaluated} from '../store/candidates.js'
import type {Store} from '../store/db.js'
import {getCandidate} from '../store/runs-read.js'
import {evaluateModel} from './evaluate-model.js'
import type {CandidateJobRecipe, Send, SweepJob} from './messages.js'

type CandidateJob = Extract<SweepJob, {kind: 'candidate'}>

/**
 * WiSE-FT (Wortsman et al. 2022): for each interpolation α < 1 of a trained candidate, the model
 * θ_base + α(θ_ft − θ_base) — for LoRA the adapter scaled by α — is written to the interpolated
 * candidate's folder and evaluated as its own candidate. α = 0 writes the base weights
 * themselves (its evaluation equals the base model's). Candidates already evaluated are skipped,
 * so a resumed job does only what is left.
 */
export async function evaluateInterpolations(
  db: Store,
  ctx: {job: CandidateJob; recipe: CandidateJobRecipe; modelDir: string; evalSet: Dataset; backend: string; send: Send},
): Promise<void> {
  const {job, recipe, send} = ctx
  const todo = recipe.interpolations.filter((i) => getCandidate(db, i.candidateId)?.status !== 'completed')
  if (todo.length === 0) return
  const base = readModelDir(job.plan.baseModel)
  const adapter = recipe.adapterDir ? readAdapterDir(recipe.adapterDir, readModelConfig) : null
  const tuned = adapter ? null : readModelDir(ctx.modelDir).weights
  for (const item of todo) {
    const weights =
      item.interpolate === 0 ? base.weights
        : adapter ? mergeAdapters(base.config, adapter.lora, base.weights, adapter.adapters, item.interpolate)
          : interpolateWeights(base.weights, tuned!, item.interpolate)
    const tensors = new Map([...weights].map(([name, v]) => [name, tf.tensor(v, base.shapes.get(name)!)]))
    const blended = Gpt.fromWeights(base.config, tensors)
    tf.dispose([...tensors.values()])
    await saveModel(item.modelDir, blended, base.tokenizer, {
      base: job.plan.baseModel,
      interpolation: {of: ctx.modelDir, alpha: item.interpolate, method: adapter ? 'lora (adapter scaled by alpha)' : 'full (base + alpha (tuned - base))', run: job.runId, candidate: item.label},
    })
    blended.dispose()
    send({type: 'start', key: item.key, label: `${item.label.split('/').pop()} eval`, total: 100, unit: 'percent'})
    const evaluationId = await evaluateModel(db, {
      modelDir: item.modelDir, dataset: ctx.evalSet, plan: job.plan, label: item.label, runId: job.runId, candidateId: item.candidateId, backend: ctx.backend,
      onProgress: (f, phase) => send({type: 'progress', key: item.key, value: Math.round(100 * f), fields: {phase}}),
    })
    markCandidateEvaluated(db, item.candidateId, evaluationId)
    send({type: 'done', key: item.key, status: 'completed', evaluationId, message: `interpolated (alpha ${item.interpolate}); evaluated`})
  }
}
