import {type Store, nowIso} from './db.js'
import {sql} from './sql.js'

export interface PromotionRow {
  id: number
  evaluationId: number
  label: string
  modelDir: string | null
  note: string | null
  promotedAt: string
}

/** Records that an evaluation's model is now the promoted baseline; returns the promotion id. */
export function insertPromotion(store: Store, promotion: {evaluationId: number; modelDir: string | null; note?: string}): number {
  const db = sql(store)
  return Number(
    db
      .prepare('INSERT INTO promotions (evaluation_id, model_dir, note, promoted_at) VALUES (?, ?, ?, ?)')
      .run(promotion.evaluationId, promotion.modelDir, promotion.note ?? null, nowIso()).lastInsertRowid,
  )
}

const SELECT_PROMOTION = `
  SELECT p.id, p.evaluation_id AS evaluationId, e.label, p.model_dir AS modelDir, p.note, p.promoted_at AS promotedAt
  FROM promotions p JOIN evaluations e ON e.id = p.evaluation_id`

/** The current baseline of weekly retrains: the latest promotion. */
export function latestPromotion(store: Store): PromotionRow | undefined {
  const db = sql(store)
  return db.prepare(`${SELECT_PROMOTION} ORDER BY p.id DESC LIMIT 1`).get() as PromotionRow | undefined
}

export function listPromotions(store: Store, limit = 20): PromotionRow[] {
  const db = sql(store)
  return db.prepare(`${SELECT_PROMOTION} ORDER BY p.id DESC LIMIT ?`).all(limit) as PromotionRow[]
}
