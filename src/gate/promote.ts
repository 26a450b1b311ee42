import {InputError} from '../errors.js'
import type {Store} from '../store/db.js'
import {insertPromotion, latestPromotion, type PromotionRow} from '../store/promotions.js'
import {candidateOfEvaluation} from '../store/runs-read.js'
import {resolveEvaluation} from './reference.js'

/**
 * Promotes the evaluation a reference names: records it and its model folder (the evaluation's
 * --model, else its sweep candidate's fine-tuned model) as the baseline `promoted` refers to.
 *
 * @example promoteEvaluation(db, 'recommended', 'weekly retrain 2024-06-03')
 */
export function promoteEvaluation(db: Store, ref: string, note?: string): PromotionRow {
  if (ref.trim() === 'promoted') throw new InputError('"promoted" is already the promoted baseline; name the evaluation to promote instead.')
  const evaluation = resolveEvaluation(db, ref, 'baseline promote')
  const candidate = candidateOfEvaluation(db, evaluation.id, evaluation.candidateId)
  const modelDir = evaluation.modelDir ?? candidate?.artifactDir ?? null
  insertPromotion(db, {evaluationId: evaluation.id, modelDir, note})
  return latestPromotion(db)!
}
