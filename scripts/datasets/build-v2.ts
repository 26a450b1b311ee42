import type {CohortInfo, DatasetRecord} from '../../src/datasets/types.js'
import type {BrownSplits} from './plan-brown.js'
import type {DefinitionSplits} from './plan-definitions.js'
import {JSON_ANSWER_SCHEMA, type TaskSplits} from './plan-tasks.js'
import {shuffled} from './sample.js'
import {BROWN_COHORTS, GROUNDED_COHORTS, JSON_COHORT, SETTINGS, TASK_SETTINGS} from './settings.js'
import type {VersionSpec} from './write.js'

/** What build.ts already knows and the second example shares with the first. */
export interface SharedBuild {
  defs: DefinitionSplits
  texts: BrownSplits
  tasks: TaskSplits
  license: string
  source: string
  sources: unknown[]
  build: Record<string, unknown>
  text: string
  heldOutRule: string
  other: Record<string, string>
}

const TASK_TEXT =
  'Grounded records: `context` holds two or three lines `word: gloss` (the asked word\'s and one or two distractors\'), `input` the definition question, `reference` the asked word\'s gloss. JSON records: `context` holds lines `word: pos.category` (lexicographer file), `input` asks `Q: JSON for "word"?`, `reference` is the compact JSON {"word","pos","category"}. The model sees `context + "\\n" + input` as the prompt. meta: synset and lexfile of the asked word, the line count, the right line\'s position (0-based) and the distractors\' synsets.'

/**
 * example-eval@2 and example-pretrain@2: the grounded-answer and structured-output tasks of
 * plan-tasks.ts next to the closed-book food target and Brown text. @1 stays as it was.
 */
export function secondExample(s: SharedBuild): VersionSpec[] {
  const n = TASK_SETTINGS.evalRecordsPerCohort
  const food = s.defs.evalCohorts.get('target:food')!.slice(0, n)
  const brown = BROWN_COHORTS.map((c) => ({c, records: s.texts.evalCohorts.get(c.cohort)!.slice(0, TASK_SETTINGS.brownEvalPerCohort)}))
  const split = [
    `target:food: the first ${n} (by id) of example-eval@1's target:food, closed-book definition questions (held out of food-train@1 and of pretraining).`,
    `Grounded cohorts and ood:json: per lexicographer file (${GROUNDED_COHORTS.map((c) => c.lexfile).join(', ')}) the first ${TASK_SETTINGS.evalReservePerLexfile} synsets of example-eval@1's seeded shuffle are reserved (never in example-pretrain@2, as askers or distractors); of those whose gloss has at most ${TASK_SETTINGS.maxGlossChars} characters and whose first lemma at most ${TASK_SETTINGS.maxWordChars}, the first ${n} are the file's grounded cohort, the next ${n / GROUNDED_COHORTS.length} of each file are ood:json; distractors come from the same reserves (for JSON, from another file).`,
    `Each record has two or three context lines (seeded; fewer when context + question + answer would pass ${TASK_SETTINGS.maxRecordChars} characters); the right line is at each position equally often.`,
    `${s.heldOutRule}; each Brown cohort is the first ${TASK_SETTINGS.brownEvalPerCohort} (by id) of example-eval@1's.`,
  ].join(' ')

  const cohorts: Record<string, CohortInfo> = {
    'target:food': {role: 'target', description: 'noun.food definitions as closed-book question->answer records (no context), held out of fine-tuning and pretraining'},
  }
  for (const c of GROUNDED_COHORTS) {
    cohorts[c.cohort] = {role: 'ood', description: `${c.lexfile} (${c.what}) grounded answers: the context gives two or three "word: gloss" lines, the answer is the asked word's gloss; synsets held out of pretraining`}
  }
  cohorts[JSON_COHORT.cohort] = {
    role: 'ood',
    description: 'structured output: the context gives "word: pos.category" lines, the answer is {"word","pos","category"} as compact JSON; synsets held out of pretraining',
  }
  for (const {c} of brown) cohorts[c.cohort] = {role: 'ood', description: `Brown ${c.what}: text records (perplexity only) from texts held out of pretraining`}

  const exampleEval: VersionSpec = {
    name: 'example-eval',
    version: '2',
    description:
      'Eval set of the shipped example (second version): held-out noun.food definitions asked closed-book (the target); out of domain, grounded answers and structured JSON output the base model learned in pretraining (on other synsets) and Brown text, so that forgetting shows in relevance, hallucination, JSON validity and perplexity.',
    license: s.license,
    source: s.source,
    cohorts,
    extra: {
      split,
      seed: TASK_SETTINGS.seed,
      text: `${s.text} ${TASK_TEXT}`,
      jsonSchema: JSON_ANSWER_SCHEMA,
      sources: s.sources,
      build: {...s.build, settings: {...SETTINGS, tasks: TASK_SETTINGS}},
    },
    jsonl: {'eval.jsonl': [...food, ...[...s.tasks.grounded.values()].flat(), ...s.tasks.json, ...brown.flatMap((b) => b.records)]},
    other: s.other,
  }

  // example-pretrain@1's closed-book definitions minus the reserved synsets, a seeded share of them.
  const closedBook = s.defs.pretrain.filter((r) => !s.tasks.reserved.has(String(r.meta?.synset)))
  const keep = new Set(shuffled(closedBook, TASK_SETTINGS.seed, 'pretrain:closed-book').slice(0, Math.round(closedBook.length * TASK_SETTINGS.closedBookRate)))
  const definitions: DatasetRecord[] = closedBook.filter((r) => keep.has(r))
  const examplePretrain: VersionSpec = {
    name: 'example-pretrain',
    version: '2',
    description:
      'General text the second example base model is pretrained on: Brown corpus chunks, closed-book definitions, grounded answers and JSON output about WordNet words, with nothing from noun.food and nothing reserved for example-eval@2.',
    license: s.license,
    source: s.source,
    cohorts: {
      'general:brown': {role: 'other', description: 'Brown corpus text in chunks of whole sentences, all genres, held-out texts excluded (as example-pretrain@1)'},
      'general:definitions': {role: 'other', description: 'closed-book definitions of example-pretrain@1 whose synsets example-eval@2 does not reserve (a seeded share)'},
      'general:grounded': {role: 'other', description: 'grounded answers ("word: gloss" context lines, the asked word\'s gloss) about non-food synsets not reserved for eval'},
      'general:json': {role: 'other', description: 'structured output ("word: pos.category" context lines, compact JSON answer) about non-food synsets not reserved for eval'},
    },
    extra: {
      split: `Brown: example-pretrain@1's chunks (${s.heldOutRule}). Definitions: ${TASK_SETTINGS.closedBookRate * 100}% (seeded) of example-pretrain@1's closed-book definitions, minus the synsets example-eval@2 reserves. Grounded and JSON: seeded samples (${TASK_SETTINGS.pretrainGroundedRecords} and ${TASK_SETTINGS.pretrainJsonRecords} asked synsets) of every non-food noun and verb synset outside the reserves whose gloss has at most ${TASK_SETTINGS.maxGlossChars} characters and whose first lemma at most ${TASK_SETTINGS.maxWordChars}; distractors from the same pool (half of the grounded ones from the asked word's lexicographer file).`,
      seed: TASK_SETTINGS.seed,
      text: `${s.text} ${TASK_TEXT}`,
      sources: s.sources,
      build: {...s.build, settings: {...SETTINGS, tasks: TASK_SETTINGS}},
    },
    jsonl: {
      'brown.jsonl': s.texts.pretrain,
      'definitions.jsonl': definitions,
      'grounded.jsonl': s.tasks.pretrainGrounded,
      'json.jsonl': s.tasks.pretrainJson,
    },
    other: s.other,
  }
  return [exampleEval, examplePretrain]
}
