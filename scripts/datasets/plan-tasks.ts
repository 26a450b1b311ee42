import {EXAMPLE_JSON_SCHEMA} from '../../src/config/defaults.js'
import type {DatasetRecord} from '../../src/datasets/types.js'
import {deriveSeed, type Rng, seededRng} from '../../src/util/rng.js'
import {byKey, shuffled} from './sample.js'
import {GROUNDED_COHORTS, JSON_COHORT, SETTINGS, TASK_SETTINGS} from './settings.js'
import {definition, question, type Synset} from './wordnet.js'

/** A synset a task record can use: a short word and a short gloss. */
interface Entry {
  synset: Synset
  word: string
  gloss: string
}

export interface TaskSplits {
  /** grounded eval cohort → records, in GROUNDED_COHORTS order */
  grounded: Map<string, DatasetRecord[]>
  /** the JSON eval cohort */
  json: DatasetRecord[]
  /** grounded and JSON records for pretraining (never noun.food, never a reserved synset) */
  pretrainGrounded: DatasetRecord[]
  pretrainJson: DatasetRecord[]
  /** synsets kept out of pretraining: the reserves of the grounded cohorts' lexicographer files */
  reserved: Set<string>
}

/**
 * The JSON a structured-output record asks for: the word (from the question), its part of speech
 * and lexicographer category (both from the context line `word: pos.category`), in this key order,
 * without spaces.
 *
 * @example jsonAnswer('heron', 'noun.animal') // '{"word":"heron","pos":"noun","category":"animal"}'
 */
export function jsonAnswer(word: string, lexfile: string): string {
  const [pos, category] = lexfile.split('.')
  return JSON.stringify({word, pos, category})
}

/** The JSON schema every answer of the JSON cohort satisfies: the default json-valid evaluator's (src/config/defaults.ts). */
export const JSON_ANSWER_SCHEMA = EXAMPLE_JSON_SCHEMA

/** The question of a structured-output record. */
export function jsonQuestion(word: string): string {
  return `Q: JSON for "${word}"?\nA:`
}

/**
 * Cuts WordNet into the grounded-answer and structured-output tasks of example-eval@2 and
 * example-pretrain@2, disjoint by synset:
 * 1. per grounded cohort's lexicographer file, the first TASK_SETTINGS.evalReservePerLexfile synsets
 *    of example-eval@1's seeded shuffle (a superset of @1's reserve) are reserved for eval;
 * 2. entries: synsets whose definition fits TASK_SETTINGS.maxGlossChars and whose first lemma fits
 *    maxWordChars; noun.food never;
 * 3. eval: per grounded cohort the first evalRecordsPerCohort reserved entries are asked, with one or
 *    two distractors from the same reserve; the JSON cohort asks the next reserved entries of the four
 *    files in turn, with distractors from the other files' reserves;
 * 4. pretraining: seeded samples of all other entries are asked (pretrainGroundedRecords grounded,
 *    pretrainJsonRecords JSON), with distractors from the pretraining entries.
 * A record has two or three context lines (a seeded choice; fewer when the record would pass
 * maxRecordChars) and the right line sits at each position equally often (per line count).
 */
export function planTasks(synsets: readonly Synset[]): TaskSplits {
  const entryOf = (s: Synset): Entry | null => {
    const gloss = definition(s.gloss, SETTINGS.maxDefinitionChars)
    const word = s.lemmas[0]
    if (gloss === null || gloss.length > TASK_SETTINGS.maxGlossChars || word.length > TASK_SETTINGS.maxWordChars) return null
    return {synset: s, word, gloss}
  }
  const byLexfile = new Map<string, Synset[]>()
  for (const s of synsets) {
    const list = byLexfile.get(s.lexfile)
    if (list === undefined) byLexfile.set(s.lexfile, [s])
    else list.push(s)
  }

  const reserved = new Set<string>()
  const reserveEntries = new Map<string, Entry[]>()
  for (const c of GROUNDED_COHORTS) {
    // The same seeded shuffle as example-eval@1 (plan-definitions.ts), over the same candidates.
    const candidates = (byLexfile.get(c.lexfile) ?? []).filter((s) => definition(s.gloss, SETTINGS.maxDefinitionChars) !== null)
    const reserve = shuffled(candidates, SETTINGS.seed, `split:${c.lexfile}`).slice(0, TASK_SETTINGS.evalReservePerLexfile)
    for (const s of reserve) reserved.add(s.key)
    reserveEntries.set(c.lexfile, reserve.flatMap((s) => entryOf(s) ?? []))
  }

  const rng = seededRng(deriveSeed(TASK_SETTINGS.seed, 'tasks'))
  const grounded = new Map<string, DatasetRecord[]>()
  const jsonAsked: Entry[] = []
  const n = TASK_SETTINGS.evalRecordsPerCohort
  for (const c of GROUNDED_COHORTS) {
    const pool = reserveEntries.get(c.lexfile)!
    const drafts = fit(pool.map((e) => ({asked: e, distractors: pickDistractors(e, pool, 1 + rng.int(2), rng, false)})), groundedRecord)
    if (drafts.length < n + n / GROUNDED_COHORTS.length) throw new Error(`${c.lexfile}: only ${drafts.length} reserved entries; raise evalReservePerLexfile.`)
    // The next reserved entries are the JSON cohort's words.
    jsonAsked.push(...drafts.slice(n, n + n / GROUNDED_COHORTS.length).map((d) => d.asked))
    grounded.set(c.cohort, sortById(place(drafts.slice(0, n), rng, groundedRecord).map((r) => ({...r, id: `${c.idPrefix}-${r.id}`, cohort: c.cohort}))))
  }
  const allReserved = [...reserveEntries.values()].flat()
  const jsonDrafts = fit(jsonAsked.map((e) => ({asked: e, distractors: pickDistractors(e, allReserved, 1 + rng.int(2), rng, true)})), jsonRecord)
  if (jsonDrafts.length < n) throw new Error(`${JSON_COHORT.cohort}: only ${jsonDrafts.length} records fit.`)
  const json = sortById(place(jsonDrafts, rng, jsonRecord).map((r) => ({...r, id: `${JSON_COHORT.idPrefix}-${r.id}`, cohort: JSON_COHORT.cohort})))

  const pretrainEntries: Entry[] = []
  for (const lexfile of [...byLexfile.keys()].sort()) {
    if (lexfile === SETTINGS.targetLexfile) continue
    for (const s of byLexfile.get(lexfile)!) {
      const e = reserved.has(s.key) ? null : entryOf(s)
      if (e !== null) pretrainEntries.push(e)
    }
  }
  const sameFile = new Map<string, Entry[]>()
  for (const e of pretrainEntries) {
    const list = sameFile.get(e.synset.lexfile)
    if (list === undefined) sameFile.set(e.synset.lexfile, [e])
    else list.push(e)
  }
  // Seeded samples of the entries are asked (the pretraining set stays a few MB).
  const groundedAsked = shuffled(pretrainEntries, TASK_SETTINGS.seed, 'pretrain:grounded').slice(0, TASK_SETTINGS.pretrainGroundedRecords)
  const jsonPretrainAsked = shuffled(pretrainEntries, TASK_SETTINGS.seed, 'pretrain:json').slice(0, TASK_SETTINGS.pretrainJsonRecords)
  const groundedDrafts = groundedAsked.map((e) => {
    // Half the distractors come from the same lexicographer file (harder), half from anywhere.
    const same = sameFile.get(e.synset.lexfile)!
    const pool = rng.next() < 0.5 && same.length > 3 ? same : pretrainEntries
    return {asked: e, distractors: pickDistractors(e, pool, 1 + rng.int(2), rng, false)}
  })
  const jsonPretrainDrafts = jsonPretrainAsked.map((e) => ({asked: e, distractors: pickDistractors(e, pretrainEntries, 1 + rng.int(2), rng, true)}))
  // Pretraining records keep only the synsets in meta (the file stays small).
  const slim = (r: DatasetRecord, id: string, cohort: string): DatasetRecord => ({...r, id, cohort, meta: {synset: r.meta!.synset, distractors: r.meta!.distractors}})
  const pretrainGrounded = sortById(place(fit(groundedDrafts, groundedRecord), rng, groundedRecord).map((r) => slim(r, `g-${r.id}`, 'general:grounded')))
  const pretrainJson = sortById(place(fit(jsonPretrainDrafts, jsonRecord), rng, jsonRecord).map((r) => slim(r, `j-${r.id}`, 'general:json')))
  return {grounded, json, pretrainGrounded, pretrainJson, reserved}
}

interface Draft {
  asked: Entry
  distractors: Entry[]
}

/** `count` distinct distractors from `pool` whose words differ from the asked word (and, for JSON, whose file differs). */
function pickDistractors(asked: Entry, pool: readonly Entry[], count: number, rng: Rng, otherFile: boolean): Entry[] {
  const out: Entry[] = []
  const words = new Set([asked.word.toLowerCase()])
  for (let tries = 0; out.length < count && tries < 200; tries++) {
    const d = pool[rng.int(pool.length)]
    if (words.has(d.word.toLowerCase()) || (otherFile && d.synset.lexfile === asked.synset.lexfile)) continue
    words.add(d.word.toLowerCase())
    out.push(d)
  }
  if (out.length === 0) throw new Error(`no distractor for ${asked.synset.key}`)
  return out
}

type Render = (asked: Entry, lines: readonly Entry[]) => {context: string; input: string; reference: string; task: string}

/** A draft whose record would pass maxRecordChars loses its last distractor (dropped when none is left). */
function fit(drafts: readonly Draft[], render: Render): Draft[] {
  const fitted: Draft[] = []
  for (const d of drafts) {
    let distractors = d.distractors
    while (distractors.length > 0 && tooLong(render(d.asked, [d.asked, ...distractors]))) distractors = distractors.slice(0, -1)
    if (distractors.length > 0) fitted.push({...d, distractors})
  }
  return fitted
}

/**
 * Places the right line: drafts with the same number of lines take positions 0, 1, (2) in turn,
 * in a seeded order, so each position is equally often right (to one record).
 */
function place(fitted: readonly Draft[], rng: Rng, render: Render): DatasetRecord[] {
  const turn = new Map<number, number>()
  const order = shuffled(fitted.map((_, i) => i), deriveSeed(TASK_SETTINGS.seed, `positions:${rng.int(1 << 30)}`), 'positions')
  const position = new Array<number>(fitted.length)
  for (const i of order) {
    const lines = fitted[i].distractors.length + 1
    const t = turn.get(lines) ?? 0
    position[i] = t % lines
    turn.set(lines, t + 1)
  }
  return fitted.map((d, i) => {
    const lines = [...d.distractors]
    lines.splice(position[i], 0, d.asked)
    const r = render(d.asked, lines)
    return {
      id: d.asked.synset.key,
      cohort: '',
      input: r.input,
      reference: r.reference,
      context: r.context,
      meta: {synset: d.asked.synset.key, lexfile: d.asked.synset.lexfile, task: r.task, lines: lines.length, position: position[i], distractors: d.distractors.map((x) => x.synset.key)},
    }
  })
}

function tooLong(r: {context: string; input: string; reference: string}): boolean {
  return r.context.length + 1 + r.input.length + 1 + r.reference.length + 1 > TASK_SETTINGS.maxRecordChars
}

/** Grounded answer: context `word: gloss` lines, the usual definition question, the right gloss. */
const groundedRecord: Render = (asked, lines) => ({
  context: lines.map((e) => `${e.word}: ${e.gloss}`).join('\n'),
  input: question(asked.word, asked.synset.pos),
  reference: asked.gloss,
  task: 'grounded',
})

/** Structured output: context `word: pos.category` lines, a JSON question, the JSON answer. */
const jsonRecord: Render = (asked, lines) => ({
  context: lines.map((e) => `${e.word}: ${e.synset.lexfile}`).join('\n'),
  input: jsonQuestion(asked.word),
  reference: jsonAnswer(asked.word, asked.synset.lexfile),
  task: 'json',
})

function sortById(records: DatasetRecord[]): DatasetRecord[] {
  return records.sort(byKey((r) => r.id))
}
