import type {DatasetRecord} from '../../src/datasets/types.js'
import {byKey, shuffled} from './sample.js'
import {DEFINITION_COHORTS, SETTINGS} from './settings.js'
import {definition, question, type Synset} from './wordnet.js'

/** A synset that made it into some split, with the lemma its question uses. */
interface Usable {
  synset: Synset
  lemma: string
  question: string
  definition: string
}

export interface DefinitionSplits {
  /** noun.food synsets for fine-tuning, and the validation share */
  foodTrain: DatasetRecord[]
  foodValid: DatasetRecord[]
  /** eval cohort → held-out records, in DEFINITION_COHORTS order */
  evalCohorts: Map<string, DatasetRecord[]>
  /** everything else sampled for pretraining (never noun.food, never an eval synset) */
  pretrain: DatasetRecord[]
  /** counts for the build summary */
  stats: {candidates: number; universe: number; ambiguous: number}
}

/**
 * Cuts WordNet into disjoint splits (by synset):
 * 1. candidates: noun/verb synsets whose definition fits SETTINGS.maxDefinitionChars;
 * 2. the universe: all noun.food; per OOD file a reserve for eval plus a share for pretraining;
 *    a share of every other file for pretraining (seeded shuffles);
 * 3. each synset asks about its first lemma whose question text no other synset of the universe
 *    asks (case-insensitive), so no question has two answers anywhere in the shipped data;
 *    synsets without one are skipped;
 * 4. splits are taken in shuffled order, then each is sorted by synset for the files.
 */
export function planDefinitions(synsets: readonly Synset[]): DefinitionSplits {
  const withDefinition = new Map<Synset, string>()
  for (const s of synsets) {
    const d = definition(s.gloss, SETTINGS.maxDefinitionChars)
    if (d !== null) withDefinition.set(s, d)
  }
  const byLexfile = new Map<string, Synset[]>()
  for (const s of withDefinition.keys()) byLexfile.set(s.lexfile, [...(byLexfile.get(s.lexfile) ?? []), s])

  const oodFiles = new Set(DEFINITION_COHORTS.map((c) => c.lexfile).filter((f) => f !== SETTINGS.targetLexfile))
  const food = shuffled(byLexfile.get(SETTINGS.targetLexfile) ?? [], SETTINGS.seed, `split:${SETTINGS.targetLexfile}`)
  const evalReserve = new Map<string, Synset[]>()
  const pretrainPicks: Synset[] = []
  for (const lexfile of [...byLexfile.keys()].sort()) {
    if (lexfile === SETTINGS.targetLexfile) continue
    const all = byLexfile.get(lexfile)!
    if (oodFiles.has(lexfile)) {
      const order = shuffled(all, SETTINGS.seed, `split:${lexfile}`)
      evalReserve.set(lexfile, order.slice(0, SETTINGS.evalReservePerCohort))
      const rest = order.slice(SETTINGS.evalReservePerCohort)
      pretrainPicks.push(...rest.slice(0, Math.ceil(rest.length * SETTINGS.pretrainRateOodLexfiles)))
    } else {
      const order = shuffled(all, SETTINGS.seed, `pretrain:${lexfile}`)
      pretrainPicks.push(...order.slice(0, Math.ceil(all.length * SETTINGS.pretrainRateOtherLexfiles)))
    }
  }

  const universe = [...food, ...[...evalReserve.values()].flat(), ...pretrainPicks]
  const usable = chooseLemmas(universe, withDefinition)
  const keep = (list: readonly Synset[]): Usable[] => list.flatMap((s) => usable.get(s) ?? [])

  const usableFood = keep(food)
  const foodEval = usableFood.slice(0, SETTINGS.evalDefinitionsPerCohort)
  const foodRest = usableFood.slice(SETTINGS.evalDefinitionsPerCohort)
  const validCount = Math.round(foodRest.length * SETTINGS.validFraction)

  const evalCohorts = new Map<string, DatasetRecord[]>()
  for (const c of DEFINITION_COHORTS) {
    const picked = c.lexfile === SETTINGS.targetLexfile ? foodEval : keep(evalReserve.get(c.lexfile) ?? []).slice(0, SETTINGS.evalDefinitionsPerCohort)
    if (picked.length < SETTINGS.evalDefinitionsPerCohort) {
      throw new Error(`${c.lexfile}: only ${picked.length} usable held-out synsets; raise evalReservePerCohort.`)
    }
    evalCohorts.set(c.cohort, toRecords(picked, c.idPrefix, c.cohort))
  }
  return {
    foodTrain: toRecords(foodRest.slice(validCount), 'food', 'target:food'),
    foodValid: toRecords(foodRest.slice(0, validCount), 'food', 'valid:food'),
    evalCohorts,
    pretrain: toRecords(keep(pretrainPicks), 'def', 'general:definitions'),
    stats: {candidates: withDefinition.size, universe: universe.length, ambiguous: universe.length - usable.size},
  }
}

/** Step 3: the first lemma of each synset whose question no other synset of `universe` asks. */
function chooseLemmas(universe: readonly Synset[], definitions: ReadonlyMap<Synset, string>): Map<Synset, Usable> {
  const askers = new Map<string, number>()
  for (const s of universe) {
    for (const q of new Set(s.lemmas.map((l) => question(l, s.pos).toLowerCase()))) askers.set(q, (askers.get(q) ?? 0) + 1)
  }
  const out = new Map<Synset, Usable>()
  for (const s of universe) {
    const lemma = s.lemmas.find((l) => askers.get(question(l, s.pos).toLowerCase()) === 1)
    if (lemma !== undefined) out.set(s, {synset: s, lemma, question: question(lemma, s.pos), definition: definitions.get(s)!})
  }
  return out
}

/** Records sorted by synset key; ids are `<prefix>-<pos letter><offset>`. */
function toRecords(items: readonly Usable[], idPrefix: string, cohort: string): DatasetRecord[] {
  return [...items].sort(byKey((u) => u.synset.key)).map((u) => ({
    id: `${idPrefix}-${u.synset.key}`,
    cohort,
    input: u.question,
    reference: u.definition,
    meta: {synset: u.synset.key, lexfile: u.synset.lexfile},
  }))
}
