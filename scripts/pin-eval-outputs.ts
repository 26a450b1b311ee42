// Writes test/fixtures/eval-pin/expected.json: the generations and NLLs of the frozen example
// model (test/fixtures/models/example-base-v1) on the frozen example-eval@1 copy, with the eval
// defaults (greedy, 64 tokens, stop at "\n", batch 64). test/model/eval-pin.test.ts holds every
// faster path to these numbers. Made once, with the engine as it was before the native decoder
// (commit 54a300c): `node --import tsx scripts/pin-eval-outputs.ts`. Re-running it with a changed
// engine would move the pin; do that only on purpose.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {initBackend} from '../src/compute/backend.js'
import {DEFAULT_CONFIG} from '../src/config/defaults.js'
import {loadDatasetDir} from '../src/datasets/load.js'
import {generate} from '../src/model/generate.js'
import {loadModel} from '../src/model/io.js'
import {recordText} from '../src/model/record-text.js'
import {scoreRecords} from '../src/model/score.js'

const fixtures = join(import.meta.dirname, '..', 'test', 'fixtures')
const backend = await initBackend(process.argv[2] ?? 'native')
const dataset = await loadDatasetDir(join(fixtures, 'eval-pin', 'example-eval-1'))
const {model, tokenizer} = loadModel(join(fixtures, 'models', 'example-base-v1'))
const generation = DEFAULT_CONFIG.eval.generation
const generative = dataset.records.filter((r) => recordText(r).generative)
const outputs = generate(model, tokenizer, generative.map((r) => recordText(r).prompt), {...generation, seed: 1})
const nll = scoreRecords(model, tokenizer, dataset.records, generation.batchSize)
const byId = new Map(generative.map((r, i) => [r.id, outputs[i]]))
const records = dataset.records.map((r, i) => ({id: r.id, ...(byId.has(r.id) ? {output: byId.get(r.id)} : {}), nll: nll[i].nll, tokens: nll[i].tokens}))
const pin = {
  model: 'test/fixtures/models/example-base-v1',
  dataset: {ref: dataset.ref, hash: dataset.hash},
  generation,
  backend: backend.name,
  madeWith: 'scripts/pin-eval-outputs.ts on the engine of commit 54a300c (before the native decoder)',
  records,
}
writeFileSync(join(fixtures, 'eval-pin', 'expected.json'), JSON.stringify(pin, null, 1) + '\n')
console.log(`${records.length} records pinned (${generative.length} generations) on ${backend.name}`)
