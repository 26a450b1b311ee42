// Pins what the evaluation engine gives for a frozen model on frozen records, so a faster path
// (batching, native decode) can never change a verdict silently. The pinned values were made by
// scripts/pin-eval-outputs.ts with the engine as it was before the native decoder.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {DEFAULT_CONFIG} from '../../src/config/defaults.js'
import {loadDatasetDir} from '../../src/datasets/load.js'
import type {Dataset, DatasetRecord} from '../../src/datasets/types.js'
import {generate, generateAndScoreYielding, generateYielding} from '../../src/model/generate.js'
import type {Gpt} from '../../src/model/gpt.js'
import {loadModel} from '../../src/model/io.js'
import {recordText} from '../../src/model/record-text.js'
import {scoreRecords, scoreRecordsYielding} from '../../src/model/score.js'
import type {CharTokenizer} from '../../src/model/tokenizer.js'
import {Interrupted} from '../../src/util/cooperative.js'
import {modelOutputs} from '../../src/eval/model-outputs.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures')
interface Pinned {
  dataset: {ref: string; hash: string}
  generation: Required<typeof DEFAULT_CONFIG.eval.generation>
  records: Array<{id: string; output?: string; nll: number; tokens: number}>
}
const pinned = JSON.parse(readFileSync(join(fixtures, 'eval-pin', 'expected.json'), 'utf8')) as Pinned
const expected = new Map(pinned.records.map((r) => [r.id, r]))
// The settings the pin was made with (the first example's defaults), not today's defaults.
const generation = pinned.generation

/**
 * NLLs are float32 sums over up to a few hundred tokens; another summation order (a kernel, a
 * BLAS build for another CPU) moves them by ~1e-6 relative. 2e-5 is far below any gate's
 * resolution and far above that noise.
 */
const NLL_RTOL = 2e-5

function checkOutputs(records: readonly DatasetRecord[], outputs: string[], what: string, pinnedAs: (s: string) => string = (s) => s): void {
  const generative = records.filter((r) => recordText(r).generative)
  assert.equal(outputs.length, generative.length)
  let differing = 0
  const first: string[] = []
  generative.forEach((r, i) => {
    if (outputs[i] !== pinnedAs(expected.get(r.id)!.output!)) {
      differing++
      if (first.length < 3) first.push(`${r.id}: ${JSON.stringify(outputs[i])} vs pinned ${JSON.stringify(expected.get(r.id)!.output)}`)
    }
  })
  assert.equal(differing, 0, `${what}: ${differing} of ${generative.length} generations differ from the pin, e.g. ${first.join('; ')}`)
}

function checkNll(records: readonly DatasetRecord[], nll: Array<{nll: number; tokens: number}>, what: string): void {
  records.forEach((r, i) => {
    const want = expected.get(r.id)!
    assert.equal(nll[i].tokens, want.tokens, `${what}: ${r.id} scored tokens`)
    assert.ok(Math.abs(nll[i].nll - want.nll) <= NLL_RTOL * Math.abs(want.nll), `${what}: ${r.id} NLL ${nll[i].nll} vs pinned ${want.nll}`)
  })
}

describe('evaluation outputs of the frozen example model stay pinned', () => {
  let dataset: Dataset
  let model: Gpt
  let tokenizer: CharTokenizer
  /** 3 records of every cohort: the batch-size checks run on these. */
  let sample: DatasetRecord[]

  before(async () => {
    await initBackend('auto')
    dataset = await loadDatasetDir(join(fixtures, 'eval-pin', 'example-eval-1'))
    assert.equal(dataset.hash, pinned.dataset.hash, 'the frozen dataset copy changed')
    ;({model, tokenizer} = loadModel(join(fixtures, 'models', 'example-base-v1')))
    const seen = new Map<string, number>()
    sample = dataset.records.filter((r) => {
      const n = seen.get(r.cohort) ?? 0
      seen.set(r.cohort, n + 1)
      return n < 3
    })
  })

  it('gives the pinned greedy generation for all 650 question records (eval defaults, batch 64)', () => {
    const prompts = dataset.records.filter((r) => recordText(r).generative).map((r) => recordText(r).prompt)
    checkOutputs(dataset.records, generate(model, tokenizer, prompts, {...generation, seed: 1}), 'batch 64')
  })

  it('gives the pinned NLL and token count for all 800 records (batch 64)', () => {
    checkNll(dataset.records, scoreRecords(model, tokenizer, dataset.records, generation.batchSize), 'batch 64')
  })

  it('lrgate eval\'s path (each prompt read once with its reference, the rest scored apart) gives the pinned generations and NLLs', async () => {
    const outputs = await modelOutputs(dataset, {modelDir: join(fixtures, 'models', 'example-base-v1'), generation, seed: 1, backend: 'auto'})
    assert.equal(outputs.length, dataset.records.length)
    checkOutputs(dataset.records, dataset.records.filter((r) => recordText(r).generative).map((r) => outputs.find((o) => o.id === r.id)!.output!), 'eval path', (s) => s.trim())
    checkNll(dataset.records, outputs.map((o) => ({nll: o.nll!, tokens: o.tokens!})), 'eval path')
    // the single pass really scored: every record whose prompt + reference fits the 128-token context
    const generative = dataset.records.filter((r) => recordText(r).generative)
    const texts = generative.map((r) => recordText(r))
    const both = await generateAndScoreYielding(model, tokenizer, texts.map((t) => t.prompt), texts.map((t) => t.completion), {...generation, seed: 1})
    const fits = texts.filter((t) => tokenizer.encode(t.prompt).length + tokenizer.encode(t.completion).length - 1 <= 128).length
    assert.equal(both.nll.filter((x) => x !== null).length, fits)
    assert.ok(fits >= 600, `${fits} of ${generative.length} fit`)
    checkOutputs(dataset.records, both.outputs, 'generate and score')
    generative.forEach((r, i) => {
      const got = both.nll[i]
      if (got !== null) checkNll([r], [got], 'generate and score')
    })
  })

  it('gives the same generations and NLLs at other batch sizes', () => {
    const prompts = sample.filter((r) => recordText(r).generative).map((r) => recordText(r).prompt)
    for (const batchSize of [1, 5]) checkOutputs(sample, generate(model, tokenizer, prompts, {...generation, batchSize, seed: 1}), `batch ${batchSize}`)
    for (const batchSize of [1, 7]) checkNll(sample, scoreRecords(model, tokenizer, sample, batchSize), `batch ${batchSize}`)
  })

  it('gives the same generations and NLLs on the yielding path lrgate eval runs, and stops between forward passes when aborted', async () => {
    const prompts = sample.filter((r) => recordText(r).generative).map((r) => recordText(r).prompt)
    checkOutputs(sample, await generateYielding(model, tokenizer, prompts, {...generation, batchSize: 3, seed: 1}), 'yielding, batch 3')
    checkNll(sample, await scoreRecordsYielding(model, tokenizer, sample, 4), 'yielding, batch 4')
    // All 650 prompts take seconds; an aborted signal stops them at the first slice (50 ms).
    const all = dataset.records.filter((r) => recordText(r).generative).map((r) => recordText(r).prompt)
    const stop = new AbortController()
    stop.abort('SIGTERM')
    const stepsSeen: number[] = []
    await assert.rejects(generateYielding(model, tokenizer, all, {...generation, batchSize: 1, seed: 1}, (f) => stepsSeen.push(f), stop.signal), (e) => e instanceof Interrupted && e.reason === 'SIGTERM')
    // On a loaded machine no prompt may have finished in the first slice; none must have run to the end.
    assert.ok((stepsSeen.at(-1) ?? 0) < 0.5, `stopped early, at ${stepsSeen.at(-1)}`)
    await assert.rejects(scoreRecordsYielding(model, tokenizer, dataset.records, 1, undefined, stop.signal), Interrupted)
  })
})
