// Pretrains the shipped example base model (npm run pretrain): a char-level tiny GPT (context 256)
// on example-pretrain@2 (Brown text, closed-book definitions, grounded answers and JSON output about
// WordNet words; no noun.food), then measures it on example-eval@2 (README, "The base model") and
// writes models/example-base/.
// Environment: PRETRAIN_STEPS (default SETTINGS.steps) and PRETRAIN_MEASURE (records per cohort measured)
// for a shorter spike; argv[2] another output folder.
import * as tf from '@tensorflow/tfjs-core'
import {join} from 'node:path'

import {initBackend} from '../src/compute/backend.js'
import {loadDataset} from '../src/datasets/load.js'
import type {GptConfig} from '../src/model/config.js'
import {Gpt} from '../src/model/gpt.js'
import {loadModel, saveModel} from '../src/model/io.js'
import {CharTokenizer} from '../src/model/tokenizer.js'
import {packageRoot, paths} from '../src/paths.js'
import {createProgress} from '../src/report/progress.js'
import {buildSchedule} from '../src/schedule/index.js'
import {buildTokenStream} from '../src/train/token-stream.js'
import {train} from '../src/train/trainer.js'
import {deriveSeed, seededRng} from '../src/util/rng.js'
import {shuffled} from './datasets/sample.js'
import {measureExample} from './example-metrics.js'

/** The example's shape: the reference shape of DESIGN.md with a context of 256 characters (grounded prompts run to 250). */
export const EXAMPLE_SHAPE: GptConfig = {vocabSize: 96, contextLength: 256, dModel: 128, nLayers: 4, nHeads: 4, dropout: 0, tiedHead: true}

/** One pass of training: steps, batch, schedule (warmup + cosine to minLr). */
interface Phase {
  steps: number
  lr: number
  minLr: number
  warmupRatio: number
  /** cohorts whose records this phase sees several times as often (a seeded shuffle of the copies) */
  repeat?: Record<string, number>
}

/** `n` cycles of 1,500 steps at 1e-3 → 1e-4, each its own object (PRETRAIN_STEPS edits them). */
function cycles(n: number, repeat?: Phase['repeat']): Phase[] {
  return Array.from({length: n}, () => ({steps: 1500, lr: 1e-3, minLr: 1e-4, warmupRatio: 0.03, ...(repeat ? {repeat} : {})}))
}

const SETTINGS = {
  seed: 1234,
  /** continues from the first example's model (Brown + definitions, context 128; made by scripts/pretrain-v1.ts) */
  from: 'models/example-base-v1',
  batchSize: 8,
  // Cosine cycles: the grounded copy forms near the end of the first, picking the right line from
  // the third on; picking the JSON record's line only once JSON records are repeated (×4, then ×8).
  phases: [
    {steps: 1500, lr: 2e-3, minLr: 2e-4, warmupRatio: 0.03},
    ...cycles(4),
    ...cycles(3, {'general:json': 4}),
    ...cycles(7, {'general:json': 8}),
  ] as Phase[],
  optimizer: {type: 'adamw' as const, weightDecay: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, momentum: 0},
  clipNorm: 1,
  // 1 in 40 records (by a seeded draw) is held out for the validation loss
  validShare: 1 / 40,
}
// PRETRAIN_STEPS=n: every phase n steps (a spike).
if (process.env.PRETRAIN_STEPS) for (const p of SETTINGS.phases) p.steps = Number(process.env.PRETRAIN_STEPS)
/** example-eval@2's shipped generation settings (src/config/defaults.ts). */
const GENERATION = {maxTokens: 128, temperature: 0, topK: 0, stop: ['\n'], batchSize: 64}

const out = process.argv[2] ?? join(paths.models(), 'example-base')
const backend = await initBackend('auto')
console.log(`backend: ${backend.name} (${backend.reason})`)
const data = await loadDataset('example-pretrain@2')
const evalSet = await loadDataset('example-eval@2')
const rng = seededRng(deriveSeed(SETTINGS.seed, 'split'))
const train_: typeof data.records = [], valid: typeof data.records = []
for (const r of data.records) (rng.next() < SETTINGS.validShare ? valid : train_).push(r)
const tokenizer = CharTokenizer.ascii()
const model = widen(loadModel(join(packageRoot(), SETTINGS.from)).model, EXAMPLE_SHAPE)
console.log(`${data.ref}: ${train_.length} training records, ${valid.length} validation records; model ${model.size} parameters`)

/**
 * The v1 model at a longer context: every weight copied; the position embeddings stretched by
 * linear interpolation (new position p reads old position p·127/255), so neighbouring positions
 * stay neighbours and no two positions share a code.
 */
function widen(from: Gpt, shape: typeof EXAMPLE_SHAPE): Gpt {
  const weights = new Map<string, tf.Tensor>()
  for (const [name, v] of from.params) {
    if (name !== 'wpe') weights.set(name, v)
    else {
      const [rows, width] = v.shape as [number, number]
      const old = v.dataSync()
      const out = new Float32Array(shape.contextLength * width)
      for (let p = 0; p < shape.contextLength; p++) {
        const x = (p * (rows - 1)) / (shape.contextLength - 1)
        const lo = Math.floor(x), hi = Math.min(rows - 1, lo + 1), t = x - lo
        for (let d = 0; d < width; d++) out[p * width + d] = (1 - t) * old[lo * width + d] + t * old[hi * width + d]
      }
      weights.set(name, tf.tensor2d(out, [shape.contextLength, width]))
    }
  }
  const widened = Gpt.fromWeights(shape, weights)
  from.dispose()
  return widened
}

const progress = createProgress()
const trainStream = buildTokenStream(train_, tokenizer)
/** The training stream of a phase: `repeat[c]` copies of cohort c's records, in a seeded order. */
function phaseStream(phase: Phase, index: number) {
  if (!phase.repeat) return trainStream
  const records = train_.flatMap((r) => Array.from({length: phase.repeat![r.cohort] ?? 1}, () => r))
  return buildTokenStream(shuffled(records, SETTINGS.seed, `repeat:${index + 1}`), tokenizer)
}
const validStream = buildTokenStream(valid, tokenizer)
const started = performance.now()
let finalValLoss: number | null = null
for (const [i, phase] of SETTINGS.phases.entries()) {
  // PRETRAIN_DONE=<k>:<model dir>: the first k phases' result is already there (a run's snapshot); start after it.
  const [doneCount, doneDir] = (process.env.PRETRAIN_DONE ?? '0:').split(/:(.*)/s)
  if (i < Number(doneCount)) {
    if (i === Number(doneCount) - 1) {
      const done = loadModel(doneDir).model
      for (const [name, v] of done.params) model.params.get(name)!.assign(v)
      done.dispose()
    }
    console.log(`phase ${i + 1}: taken from ${doneDir}`)
    continue
  }
  const label = `phase ${i + 1}`
  progress.start(label, label, phase.steps)
  const phaseStart = performance.now()
  const result = await train({
    model,
    train: phaseStream(phase, i),
    valid: validStream,
    steps: phase.steps,
    batchSize: SETTINGS.batchSize,
    schedule: buildSchedule({type: 'cosine', warmupRatio: phase.warmupRatio, minLr: phase.minLr}, {lr: phase.lr, steps: phase.steps}),
    optimizer: SETTINGS.optimizer,
    clipNorm: SETTINGS.clipNorm,
    seed: i === 0 ? SETTINGS.seed : deriveSeed(SETTINGS.seed, `phase:${i + 1}`),
    valEvery: 250,
    valBatches: 8,
    // PRETRAIN_SNAPSHOT=<dir>: the model is also written there every 250 steps (to look at it during a long run).
    checkpointEvery: process.env.PRETRAIN_SNAPSHOT ? 250 : phase.steps,
    onCheckpoint: async (done) => {
      if (process.env.PRETRAIN_SNAPSHOT) await saveModel(process.env.PRETRAIN_SNAPSHOT, model, tokenizer, {name: 'example-base', snapshot: `${label} step ${done}`})
    },
    // Batches differ a lot (an all-JSON batch scores ~0.1, a Brown one ~1.8): only a real blow-up counts.
    divergence: {rtol: 50, window: 50, atol: 5, patience: 20},
    onStep: (s) => {
      progress.update(label, s.step + 1, {loss: s.loss, lr: s.lr, tokensPerS: s.tokensPerS})
      if (s.valLoss !== null) progress.log(`${label} step ${s.step + 1}: train loss ${s.loss.toFixed(4)}, validation loss ${s.valLoss.toFixed(4)} (${((performance.now() - phaseStart) / 60000).toFixed(1)} min)`)
    },
  })
  progress.finish(label, result.status)
  if (result.status !== 'completed') throw new Error(`pretraining ${label} ${result.status}: ${result.reason}`)
  // Each phase's result too (a PRETRAIN_DONE folder for a later run that starts after it).
  if (process.env.PRETRAIN_SNAPSHOT) await saveModel(`${process.env.PRETRAIN_SNAPSHOT}-phase-${i + 1}`, model, tokenizer, {name: 'example-base', snapshot: `end of ${label}`})
  finalValLoss = result.finalValLoss
}
progress.stop()
const minutes = (performance.now() - started) / 60000
const steps = SETTINGS.phases.reduce((n, p) => n + p.steps, 0)
console.log(`pretraining: ${steps} steps in ${minutes.toFixed(1)} min; final validation loss ${finalValLoss?.toFixed(4)}`)

const measuring = performance.now()
// PRETRAIN_MEASURE=n measures only the first n records of each cohort (a quicker look during a spike).
const perCohort = Number(process.env.PRETRAIN_MEASURE ?? Infinity)
const seen = new Map<string, number>()
const subset = evalSet.records.filter((r) => {
  seen.set(r.cohort, (seen.get(r.cohort) ?? 0) + 1)
  return seen.get(r.cohort)! <= perCohort
})
const {cohorts, outputs} = measureExample(model, tokenizer, evalSet, GENERATION, subset)
console.table(cohorts)
console.log(`measured in ${((performance.now() - measuring) / 1000).toFixed(0)} s`)
for (const cohort of Object.keys(cohorts).filter((c) => !c.includes('brown'))) {
  const r = evalSet.records.find((x) => x.cohort === cohort)!
  console.log(`${cohort}: ${JSON.stringify((r.context ? r.context + '\n' : '') + r.input)} -> ${JSON.stringify(outputs.get(r.id))} [reference: ${JSON.stringify(r.reference)}]`)
}

await saveModel(out, model, tokenizer, {
  name: 'example-base',
  description: 'Char-level tiny GPT pretrained by scripts/pretrain.ts on example-pretrain@2 (Brown, definitions, grounded answers and JSON output about WordNet words; no noun.food)',
  pretraining: {...SETTINGS, dataset: data.ref, datasetHash: data.hash, backend: backend.name, minutes: Number(minutes.toFixed(2)), finalValLoss},
  evalMeasures: {dataset: evalSet.ref, generation: GENERATION, cohorts},
})
console.log(`wrote ${out}`)
