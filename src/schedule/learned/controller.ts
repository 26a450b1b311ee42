import {readFileSync, writeFileSync} from 'node:fs'
import {z} from 'zod'

import {InputError} from '../../errors.js'
import {seededRng} from '../../util/rng.js'
import {FEATURES, LOSS_FEATURES} from './features.js'
import {initMlp, type MlpShape, parameterCount} from './mlp.js'

/** The controller file (a small JSON file): its decision rule, the actor and critic, and how it was made. */
export const controllerFileSchema = z
  .object({
    format: z.literal('lrgate-controller'),
    /** 1: the loss features only (LOSS_FEATURES); 2: those and the model features (FEATURES) */
    version: z.union([z.literal(1), z.literal(2)]),
    /** the actions: multiply the previous rate by one of these */
    factors: z.array(z.number().positive()).min(2),
    /** the rate is kept in [minLr, maxLr] */
    minLr: z.number().positive(),
    maxLr: z.number().positive(),
    /** optimizer steps between decisions */
    decisionEvery: z.number().int().positive(),
    hidden: z.number().int().positive(),
    features: z.array(z.string()),
    actor: z.array(z.number()),
    critic: z.array(z.number()),
    /** how it was trained (command, tasks, episodes, seed, wall time, returns) — informative only */
    training: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
export type ControllerFile = z.infer<typeof controllerFileSchema>

/** The features each format version's controller reads, in its input order. */
export const FEATURES_OF_VERSION: Record<1 | 2, readonly string[]> = {1: LOSS_FEATURES, 2: FEATURES}

/** True when the controller reads the model itself (format 2), so its schedule needs `inspect`. */
export function readsModel(c: Pick<ControllerFile, 'features'>): boolean {
  return c.features.length > LOSS_FEATURES.length
}

/** The paper's actions: ×1/1.06, ×1, ×1.06. */
export const DEFAULT_FACTORS = [1 / 1.06, 1, 1.06]

/** The actor: the controller's features → one logit per factor. */
export function actorShape(c: Pick<ControllerFile, 'hidden' | 'factors' | 'features'>): MlpShape {
  return {inputs: c.features.length, hidden: c.hidden, outputs: c.factors.length}
}

/** The critic: the controller's features → the state's value. */
export function criticShape(c: Pick<ControllerFile, 'hidden' | 'features'>): MlpShape {
  return {inputs: c.features.length, hidden: c.hidden, outputs: 1}
}

/**
 * A fresh controller with seeded weights (32 hidden units by default) of format `version` (default
 * 1: the loss features only; 2: those and the model features).
 */
export function newController(o: {seed: number; factors?: number[]; minLr: number; maxLr: number; decisionEvery: number; hidden?: number; version?: 1 | 2}): ControllerFile {
  const version = o.version ?? 1
  const base = {factors: o.factors ?? DEFAULT_FACTORS, hidden: o.hidden ?? 32, features: [...FEATURES_OF_VERSION[version]]}
  const rng = seededRng(o.seed)
  return {
    format: 'lrgate-controller', version, ...base, minLr: o.minLr, maxLr: o.maxLr, decisionEvery: o.decisionEvery,
    actor: [...initMlp(actorShape(base), rng)], critic: [...initMlp(criticShape(base), rng, 1)],
  }
}

/** The rate after an action: previous × factor, kept within [minLr, maxLr]. */
export function applyAction(c: Pick<ControllerFile, 'factors' | 'minLr' | 'maxLr'>, lr: number, action: number): number {
  return Math.min(c.maxLr, Math.max(c.minLr, lr * c.factors[action]))
}

/** Reads and checks a controller file; a bad file is exit 2 naming it and the field. */
export function loadController(file: string): ControllerFile {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new InputError(`${file}: cannot read the controller (${(error as Error).message.split('\n')[0]}); make one with lrgate controller train.`)
  }
  const parsed = controllerFileSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InputError(`${file}: field "${issue.path.join('.') || '(top)'}" ${issue.message}; make one with lrgate controller train.`)
  }
  const c = parsed.data
  const expected = FEATURES_OF_VERSION[c.version]
  if (c.features.join(',') !== expected.join(',')) throw new InputError(`${file}: field "features" lists ${c.features.join(', ')}, but a version ${c.version} controller reads ${expected.join(', ')}; retrain it with lrgate controller train.`)
  if (c.actor.length !== parameterCount(actorShape(c)) || c.critic.length !== parameterCount(criticShape(c))) throw new InputError(`${file}: field "actor" or "critic" has the wrong number of weights for ${c.hidden} hidden units; retrain it.`)
  if (c.minLr > c.maxLr) throw new InputError(`${file}: field "minLr" (${c.minLr}) exceeds "maxLr" (${c.maxLr}).`)
  return c
}

/** Writes a controller file (JSON; float64 weights round-trip exactly). */
export function saveController(file: string, c: ControllerFile): void {
  writeFileSync(file, JSON.stringify(c) + '\n')
}
