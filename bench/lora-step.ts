// `npm run bench:lora` (also the last part of `npm run bench`): one training step of LoRA against one
// of full fine-tuning at the reference shape, in the same process with the same threads, through the
// real trainer (AdamW, clipping 1.0). Segments alternate (full, LoRA, full, LoRA: 12 steps each, the
// first 2 of each segment dropped), so a change in machine load hits both; the figure is the median
// of the 20 timed steps of each. Also checks that the optimizer holds state for adapter parameters
// only, and prints the adapter's bytes against the model's.
//   --json   one JSON object on stdout
import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'

import {initBackend} from '../src/compute/backend.js'
import {Gpt} from '../src/model/gpt.js'
import {saveModel, saveTuned} from '../src/model/io.js'
import {adapterShapes, DEFAULT_LORA, initAdapters} from '../src/model/lora.js'
import {CharTokenizer} from '../src/model/tokenizer.js'
import type {OptimizerState} from '../src/train/optimizer.js'
import {buildTokenStream} from '../src/train/token-stream.js'
import {train} from '../src/train/trainer.js'
import {configOf, REFERENCE} from './measure.js'

const json = process.argv.includes('--json')
const threads = Number(process.env.LRGATE_THREADS ?? 2)
const backend = await initBackend('native', {threads})
const config = configOf(REFERENCE)
const tokenizer = CharTokenizer.ascii()
const text = Array.from({length: 400}, (_, i) => ({id: `t${i}`, cohort: 'general', text: `sentence ${i}: the quick brown fox jumps over the lazy dog, ${(i * 7919) % 1000} times.`}))
const stream = buildTokenStream(text, tokenizer)

const full = Gpt.init(config, 1)
const lora = Gpt.init(config, 1)
lora.attachAdapters(DEFAULT_LORA, initAdapters(config, DEFAULT_LORA, 1))
const states = new Map<Gpt, OptimizerState>()
const times = new Map<Gpt, number[]>([[full, []], [lora, []]])
const done = new Map<Gpt, number>([[full, 0], [lora, 0]])

const cpu = new Map<Gpt, number[]>([[full, []], [lora, []]])

async function segment(model: Gpt, steps: number): Promise<void> {
  const start = done.get(model)!
  const state = states.get(model)
  let mark = process.cpuUsage()
  await train({
    model, train: stream, steps: start + steps, batchSize: REFERENCE.B, schedule: () => 1e-4,
    optimizer: {type: 'adamw', weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0.9}, clipNorm: 1, seed: 1, valEvery: 1e9, checkpointEvery: 1e9,
    divergence: {rtol: 2, window: 10, atol: 0.5, patience: 3},
    ...(state ? {resume: {step: start, optimizer: state, lossHistory: []}} : {}),
    onStep: (s) => {
      // CPU time of this process per step as well: on a loaded machine wall time also measures the neighbours.
      const used = process.cpuUsage(mark)
      mark = process.cpuUsage()
      if (s.step - start >= 2) {
        times.get(model)!.push((1000 * REFERENCE.B * REFERENCE.T) / s.tokensPerS)
        cpu.get(model)!.push((used.user + used.system) / 1000)
      }
    },
    onCheckpoint: (_d, opt) => void states.set(model, opt),
  })
  done.set(model, start + steps)
}

for (let round = 0; round < 2; round++) {
  await segment(full, 12)
  await segment(lora, 12)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fullMs = median(times.get(full)!), loraMs = median(times.get(lora)!)
const fullCpu = median(cpu.get(full)!), loraCpu = median(cpu.get(lora)!)

// Optimizer state exists only for the adapters.
const adapterNames = new Set(adapterShapes(config, DEFAULT_LORA).map(([n]) => n))
const loraState = states.get(lora)!
const stateNames = new Set([...loraState.m.keys(), ...loraState.v.keys()])
if ([...stateNames].some((n) => !adapterNames.has(n)) || stateNames.size !== adapterNames.size) throw new Error('LoRA optimizer state covers parameters other than the adapters')
const stateFloats = (s: OptimizerState) => [...s.m.values(), ...s.v.values()].reduce((n, a) => n + a.length, 0)

// Adapter bytes against the model's, at the shipped shape (reference d/L, context 256) and here.
const dir = mkdtempSync(join(tmpdir(), 'lrgate-bench-lora-'))
await saveModel(join(dir, 'base'), full, tokenizer)
await saveTuned(join(dir, 'model'), lora, tokenizer, {}, {dir: join(dir, 'adapter'), base: join(dir, 'base')})
const adapterBytes = statSync(join(dir, 'adapter', 'adapter.bin')).size, modelBytes = statSync(join(dir, 'base', 'weights.bin')).size
rmSync(dir, {recursive: true, force: true})

const result = {
  shape: REFERENCE, backend: backend.name, threads, steps_timed: times.get(full)!.length,
  full_ms_per_step: fullMs, lora_ms_per_step: loraMs, lora_vs_full: loraMs / fullMs,
  full_cpu_ms_per_step: fullCpu, lora_cpu_ms_per_step: loraCpu, lora_vs_full_cpu: loraCpu / fullCpu, load_average: loadavg()[0],
  lora: DEFAULT_LORA, trainable_params: {full: full.size, lora: [...lora.adapters.values()].reduce((n, v) => n + v.size, 0)},
  optimizer_state_floats: {full: stateFloats(states.get(full)!), lora: stateFloats(loraState)},
  adapter_bytes: adapterBytes, model_bytes: modelBytes, adapter_share: adapterBytes / modelBytes,
}
if (json) console.log(JSON.stringify(result))
else {
  const f = (x: number, d = 1) => x.toFixed(d)
  console.log(`LoRA vs full fine-tuning, one training step at the reference shape (d ${REFERENCE.D}, ${REFERENCE.L} layers, context ${REFERENCE.T}, batch ${REFERENCE.B}; ${backend.name}, ${threads} threads; median of ${result.steps_timed} steps each, alternating segments):`)
  console.log(`  wall: full ${f(fullMs)} ms/step · LoRA r${DEFAULT_LORA.rank} (attn+mlp) ${f(loraMs)} ms/step → LoRA takes ${f(100 * result.lora_vs_full, 0)}% of full's time`)
  console.log(`  CPU:  full ${f(fullCpu)} ms/step · LoRA ${f(loraCpu)} ms/step → ${f(100 * result.lora_vs_full_cpu, 0)}% (load average ${f(result.load_average, 1)} while it ran)`)
  console.log(`  trainable parameters ${result.trainable_params.full} → ${result.trainable_params.lora}; optimizer state ${result.optimizer_state_floats.full} → ${result.optimizer_state_floats.lora} floats (adapters only: checked)`)
  console.log(`  adapter file ${adapterBytes} bytes = ${f(100 * result.adapter_share, 2)}% of the model's ${modelBytes} (float16 adapters)`)
}
full.dispose()
lora.dispose()
