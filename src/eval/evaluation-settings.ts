import {DEFAULT_CONFIG} from '../config/defaults.js'
import {deriveSeed} from '../util/rng.js'

/** Generation settings with every default filled in (eval.generation of the config). */
export type GenerationSettings = {maxTokens: number; temperature: number; topK: number; stop: string[]; batchSize: number}

/**
 * The one rule every path that evaluates a model follows (`lrgate eval --model`, the sweep's base and
 * candidates, a baseline re-evaluated on new data), so one model scored on one dataset with one seed
 * stores the same rows whichever command scored it:
 * - generation draws from deriveSeed(seed, 'generate');
 * - the evaluation stores `seed` itself, and each cohort × metric interval draws from
 *   deriveSeed(seed, `eval:<cohort>:<metric>`) (src/eval/evaluate.ts) — content, never row ids;
 * - unset generation settings come from DEFAULT_CONFIG.eval.generation.
 */
export function evaluationSettings(seed: number, generation: Partial<GenerationSettings> = {}): {generationSeed: number; seed: number; generation: GenerationSettings} {
  return {generationSeed: deriveSeed(seed, 'generate'), seed, generation: {...DEFAULT_CONFIG.eval.generation, ...generation} as GenerationSettings}
}
