// Measures a model on example-eval@2 as the README's base-model table does (npm run measure:example).
// Usage: npm run measure:example -- [model dir (default: the shipped example)] [records per cohort]
import {join} from 'node:path'

import {initBackend} from '../src/compute/backend.js'
import {DEFAULT_CONFIG} from '../src/config/defaults.js'
import {loadDataset} from '../src/datasets/load.js'
import {loadModel} from '../src/model/io.js'
import {paths} from '../src/paths.js'
import {measureExample} from './example-metrics.js'

const dir = process.argv[2] ?? join(paths.models(), 'example-base')
const perCohort = Number(process.argv[3] ?? Infinity)
const backend = await initBackend('auto')
const {model, tokenizer} = loadModel(dir)
const evalSet = await loadDataset('example-eval@2')
const seen = new Map<string, number>()
const records = evalSet.records.filter((r) => {
  seen.set(r.cohort, (seen.get(r.cohort) ?? 0) + 1)
  return seen.get(r.cohort)! <= perCohort
})
const {maxTokens, temperature, topK, stop, batchSize} = {...DEFAULT_CONFIG.eval.generation} as Required<typeof DEFAULT_CONFIG.eval.generation>
const started = performance.now()
const {cohorts} = measureExample(model, tokenizer, evalSet, {maxTokens, temperature, topK, stop, batchSize}, records)
console.log(`${dir} on ${evalSet.ref} (${records.length} records, greedy, maxTokens ${maxTokens}; backend ${backend.name}; ${((performance.now() - started) / 1000).toFixed(0)} s)`)
console.table(cohorts)
