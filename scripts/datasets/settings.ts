/**
 * Every number the dataset build uses. They are written into the manifests, so a reader can see
 * exactly how a shipped version was cut; changing one means publishing new versions.
 */
export const SETTINGS = {
  /** seeds every shuffle and sample of the build */
  seed: 20_111,
  /** definitions longer than this are cut to their first part, or skipped */
  maxDefinitionChars: 120,
  /** the target domain (fine-tune and target cohort) */
  targetLexfile: 'noun.food',
  /** held-out synsets per definition cohort of the eval set */
  evalDefinitionsPerCohort: 130,
  /** synsets reserved per definition cohort, so that enough stay usable after ambiguous lemmas are skipped */
  evalReservePerCohort: 200,
  /** share of the fine-tune synsets moved to the validation cohort */
  validFraction: 0.05,
  /** share of each OOD lexicographer file's remaining synsets put in the pretraining text */
  pretrainRateOodLexfiles: 0.15,
  /** share of every other noun/verb lexicographer file's synsets put in the pretraining text */
  pretrainRateOtherLexfiles: 0.045,
  /** Brown texts whose number within their category is a multiple of this are held out of pretraining */
  brownHoldOutEvery: 10,
  /** Brown chunks: whole sentences, at least / at most this many characters */
  brownChunkMinChars: 400,
  brownChunkMaxChars: 800,
  /** Brown chunks per eval cohort (sampled from the held-out texts of its genres) */
  brownEvalPerCohort: 50,
  /** share of the remaining Brown chunks put in the pretraining text */
  brownPretrainRate: 0.38,
} as const

/** The eval set's definition cohorts: cohort → lexicographer file. */
export const DEFINITION_COHORTS: ReadonlyArray<{cohort: string; lexfile: string; idPrefix: string; what: string}> = [
  {cohort: 'target:food', lexfile: 'noun.food', idPrefix: 'food', what: 'foods and dishes'},
  {cohort: 'ood:animal', lexfile: 'noun.animal', idPrefix: 'animal', what: 'animals'},
  {cohort: 'ood:artifact', lexfile: 'noun.artifact', idPrefix: 'artifact', what: 'man-made objects'},
  {cohort: 'ood:person', lexfile: 'noun.person', idPrefix: 'person', what: 'kinds of people'},
  {cohort: 'ood:verb-motion', lexfile: 'verb.motion', idPrefix: 'motion', what: 'verbs of motion'},
]

/** The eval set's Brown cohorts: cohort → NLTK categories (file prefixes in parentheses). */
export const BROWN_COHORTS: ReadonlyArray<{cohort: string; genres: readonly string[]; what: string}> = [
  {cohort: 'ood:brown-news', genres: ['news'], what: 'press reportage (ca)'},
  {
    cohort: 'ood:brown-fiction',
    genres: ['fiction', 'mystery', 'science_fiction', 'adventure', 'romance', 'humor'],
    what: 'general, mystery, science, adventure, romance fiction and humor (ck, cl, cm, cn, cp, cr)',
  },
  {cohort: 'ood:brown-learned', genres: ['learned'], what: 'learned and scientific writing (cj)'},
]

/**
 * The numbers of the second example (example-eval@2, example-pretrain@2): grounded answers and
 * structured output the base model learns in pretraining, so that forgetting them shows in
 * relevance, hallucination and JSON validity, not only in perplexity. Written into their manifests.
 */
export const TASK_SETTINGS = {
  seed: 20_112,
  /** per OOD eval lexicographer file: the first this many synsets of @1's seeded shuffle are never pretrained on */
  evalReservePerLexfile: 400,
  /** records per grounded eval cohort, the JSON cohort and the target cohort */
  evalRecordsPerCohort: 100,
  /** Brown text records per eval cohort (the first of example-eval@1's, by id) */
  brownEvalPerCohort: 40,
  /** glosses of grounded records are at most this long (so prompt + context + answer fit a context of 256 characters) */
  maxGlossChars: 60,
  /** words (lemmas) in a context line are at most this long */
  maxWordChars: 24,
  /** prompt (context + question) + " " + answer + "\n" at most, in characters */
  maxRecordChars: 250,
  /** grounded pretraining records (each asks a different synset) */
  pretrainGroundedRecords: 20_000,
  /** JSON pretraining records */
  pretrainJsonRecords: 8_000,
  /** share of example-pretrain@1's closed-book definitions kept (those not reserved for eval) */
  closedBookRate: 0.5,
} as const

/** The grounded eval cohorts of example-eval@2: cohort → lexicographer file. */
export const GROUNDED_COHORTS: ReadonlyArray<{cohort: string; lexfile: string; idPrefix: string; what: string}> = [
  {cohort: 'ood:grounded-animal', lexfile: 'noun.animal', idPrefix: 'ga', what: 'animals'},
  {cohort: 'ood:grounded-artifact', lexfile: 'noun.artifact', idPrefix: 'gr', what: 'man-made objects'},
  {cohort: 'ood:grounded-person', lexfile: 'noun.person', idPrefix: 'gp', what: 'kinds of people'},
  {cohort: 'ood:grounded-motion', lexfile: 'verb.motion', idPrefix: 'gm', what: 'verbs of motion'},
]

/** The JSON eval cohort of example-eval@2 (words from the grounded cohorts' reserved lexicographer files). */
export const JSON_COHORT = {cohort: 'ood:json', idPrefix: 'json'} as const
