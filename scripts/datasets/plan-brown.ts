import type {DatasetRecord} from '../../src/datasets/types.js'
import {type BrownText, chunkSentences} from './brown.js'
import {byKey, shuffled} from './sample.js'
import {BROWN_COHORTS, SETTINGS} from './settings.js'

export interface BrownSplits {
  /** eval cohort → perplexity-only records from held-out texts, in BROWN_COHORTS order */
  evalCohorts: Map<string, DatasetRecord[]>
  /** sampled chunks of the texts that are not held out */
  pretrain: DatasetRecord[]
  heldOutFiles: string[]
}

interface Chunk {
  text: BrownText
  index: number
  body: string
}

/**
 * Cuts the Brown corpus into disjoint splits (by file): texts numbered a multiple of
 * SETTINGS.brownHoldOutEvery within their category (ca10, ca20, cj10 …) are held out of
 * pretraining; the eval cohorts sample chunks of the held-out texts of their genres; pretraining
 * samples chunks of all other texts.
 */
export function planBrown(texts: readonly BrownText[]): BrownSplits {
  const chunksOf = (text: BrownText): Chunk[] =>
    chunkSentences(text.paragraphs, SETTINGS.brownChunkMinChars, SETTINGS.brownChunkMaxChars).map((body, index) => ({text, index, body}))
  const heldOut = texts.filter((t) => t.number % SETTINGS.brownHoldOutEvery === 0)
  const training = texts.filter((t) => t.number % SETTINGS.brownHoldOutEvery !== 0)

  const evalCohorts = new Map<string, DatasetRecord[]>()
  for (const c of BROWN_COHORTS) {
    const pool = heldOut.filter((t) => c.genres.includes(t.genre)).flatMap(chunksOf)
    const picked = shuffled(pool, SETTINGS.seed, `eval:${c.cohort}`).slice(0, SETTINGS.brownEvalPerCohort)
    if (picked.length < SETTINGS.brownEvalPerCohort) throw new Error(`${c.cohort}: only ${picked.length} held-out chunks.`)
    evalCohorts.set(c.cohort, toRecords(picked, c.cohort))
  }

  const all = training.flatMap(chunksOf)
  const count = Math.round(all.length * SETTINGS.brownPretrainRate)
  const pretrain = toRecords(shuffled(all, SETTINGS.seed, 'pretrain:brown').slice(0, count), 'general:brown')
  return {evalCohorts, pretrain, heldOutFiles: heldOut.map((t) => t.file)}
}

/** Records sorted by file then chunk; ids are `brown-<file>-<chunk index within the file>`. */
function toRecords(chunks: readonly Chunk[], cohort: string): DatasetRecord[] {
  const id = (c: Chunk): string => `brown-${c.text.file}-${String(c.index).padStart(3, '0')}`
  return [...chunks].sort(byKey(id)).map((c) => ({id: id(c), cohort, text: c.body, meta: {file: c.text.file, genre: c.text.genre}}))
}
