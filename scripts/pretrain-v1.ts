// Pretrains the first example's base model (npm run pretrain:v1): a char-level tiny GPT at the
// reference shape on example-pretrain@1 (Brown + WordNet definitions, no noun.food), then reports
// its per-cohort perplexity on example-eval@1 and writes models/example-base-v1/. It goes with
// food-train@1 and example-eval@1, and scripts/pretrain.ts continues from it.
import {join} from 'node:path'

import {initBackend} from '../src/compute/backend.js'
import {loadDataset} from '../src/datasets/load.js'
import {REFERENCE_SHAPE} from '../src/model/config.js'
import {generate} from '../src/model/generate.js'
import {Gpt} from '../src/model/gpt.js'
import {saveModel} from '../src/model/io.js'
import {scoreRecords} from '../src/model/score.js'
import {CharTokenizer} from '../src/model/tokenizer.js'
import {paths} from '../src/paths.js'
import {createProgress} from '../src/report/progress.js'
import {buildSchedule} from '../src/schedule/index.js'
import {buildTokenStream} from '../src/train/token-stream.js'
import {train} from '../src/train/trainer.js'
import {deriveSeed, seededRng} from '../src/util/rng.js'

const SETTINGS = {
  seed: 1234,
  steps: Number(process.env.PRETRAIN_STEPS ?? 3000),
  batchSize: 16,
  // nanoGPT's small-model recipe: warmup, cosine to a tenth, AdamW with 0.1 weight decay, clip 1.
  schedule: {type: 'cosine' as const, warmupRatio: 0.03, minLr: 2e-4},
  lr: 2e-3,
  optimizer: {type: 'adamw' as const, weightDecay: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, momentum: 0},
  clipNorm: 1,
  // 1 in 40 records (by a seeded draw) is held out for the validation loss
  validShare: 1 / 40,
}

const out = process.argv[2] ?? join(paths.models(), 'example-base-v1')
const backend = await initBackend('auto')
console.log(`backend: ${backend.name} (${backend.reason})`)
const data = await loadDataset('example-pretrain@1')
const evalSet = await loadDataset('example-eval@1')
const rng = seededRng(deriveSeed(SETTINGS.seed, 'split'))
const train_: typeof data.records = [], valid: typeof data.records = []
for (const r of data.records) (rng.next() < SETTINGS.validShare ? valid : train_).push(r)
const tokenizer = CharTokenizer.ascii()
const model = Gpt.init(REFERENCE_SHAPE, SETTINGS.seed)
console.log(`${data.ref}: ${train_.length} training records, ${valid.length} validation records; model ${model.size} parameters`)

const progress = createProgress()
progress.start('pretrain', 'pretrain', SETTINGS.steps)
const started = performance.now()
const result = await train({
  model,
  train: buildTokenStream(train_, tokenizer),
  valid: buildTokenStream(valid, tokenizer),
  steps: SETTINGS.steps,
  batchSize: SETTINGS.batchSize,
  schedule: buildSchedule(SETTINGS.schedule, {lr: SETTINGS.lr, steps: SETTINGS.steps}),
  optimizer: SETTINGS.optimizer,
  clipNorm: SETTINGS.clipNorm,
  seed: SETTINGS.seed,
  valEvery: 250,
  valBatches: 8,
  checkpointEvery: SETTINGS.steps,
  divergence: {rtol: 2, window: 50, atol: 0.5, patience: 3},
  onStep: (s) => {
    progress.update('pretrain', s.step + 1, {loss: s.loss, lr: s.lr, tokensPerS: s.tokensPerS})
    if (s.valLoss !== null) progress.log(`step ${s.step + 1}: train loss ${s.loss.toFixed(4)}, validation loss ${s.valLoss.toFixed(4)}`)
  },
})
const minutes = (performance.now() - started) / 60000
progress.finish('pretrain', result.status)
progress.stop()
if (result.status !== 'completed') throw new Error(`pretraining ${result.status}: ${result.reason}`)

// Per-character perplexity per eval cohort (the README reports these).
const cohorts = new Map<string, {nll: number; tokens: number}>()
const scores = scoreRecords(model, tokenizer, evalSet.records, 32)
evalSet.records.forEach((r, i) => {
  const c = cohorts.get(r.cohort) ?? {nll: 0, tokens: 0}
  c.nll += scores[i].nll
  c.tokens += scores[i].tokens
  cohorts.set(r.cohort, c)
})
const perplexity = Object.fromEntries([...cohorts].map(([k, v]) => [k, Number(Math.exp(v.nll / v.tokens).toFixed(3))]))
console.log(`pretraining: ${SETTINGS.steps} steps in ${minutes.toFixed(1)} min; final validation loss ${result.finalValLoss?.toFixed(4)}`)
console.table(perplexity)
const prompts = evalSet.records.filter((r) => r.input).filter((_, i) => i % 130 === 0).slice(0, 6)
const answers = generate(model, tokenizer, prompts.map((r) => r.input!), {maxTokens: 80, temperature: 0, topK: 0, stop: ['\n'], batchSize: 8, seed: 1})
prompts.forEach((r, i) => console.log(`${r.input!.replace('\n', ' ')} ${answers[i].trim()}    [reference: ${r.reference}]`))

await saveModel(out, model, tokenizer, {
  name: 'example-base-v1',
  description: 'Char-level tiny GPT pretrained by scripts/pretrain.ts on example-pretrain@1 (Brown + WordNet definitions without noun.food)',
  pretraining: {...SETTINGS, dataset: data.ref, datasetHash: data.hash, backend: backend.name, minutes: Number(minutes.toFixed(2)), finalValLoss: result.finalValLoss},
  evalPerplexity: {dataset: evalSet.ref, perplexity},
})
console.log(`wrote ${out}`)
