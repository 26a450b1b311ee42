import {Flags} from '@oclif/core'

import {LrgateCommand} from '../cli/base-command.js'
import {inert} from '../util/inert.js'
import {configFromFlags, dbFromFlags} from '../cli/context.js'
import {BACKENDS} from '../config/schema.js'

export default class Eval extends LrgateCommand<typeof Eval> {
  static override summary = 'Score a model or an outputs file on a dataset version and store it under a label.'

  static override description = `Runs every configured evaluator (eval.evaluators; by default relevance, hallucination and perplexity on every cohort, json-valid and exact-match on ood:json) on each record, then stores every record's scores and every cohort's aggregates (value, bootstrap CI, record count, fail rate) with the dataset's content hash. Compare two stored evaluations with "lrgate check".

--endpoint evaluates a model behind an OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, TGI, "lrgate serve", a hosted API): generations from /v1/completions (or /v1/chat/completions with eval.endpoint.api: chat) and perplexity from the prompt log-probs of /v1/completions with echo. lrgate probes first; a server that gives no prompt log-probs gets a warning and an evaluation without perplexity, never one computed from the wrong tokens. The API key is read from the variable eval.endpoint.apiKeyEnv names (default OPENAI_API_KEY) and never stored or printed.

--outputs takes JSONL lines {"id", "output", "nll"?, "tokens"?} made by any training stack; every record with an input needs a line, and unknown ids are refused. Nothing is stored when any input is invalid.`

  static override examples = [
    {
      description: 'Score outputs produced elsewhere and store them as "candidate"',
      command: '<%= config.bin %> <%= command.id %> --outputs outputs.jsonl --dataset example-eval@1 --label candidate',
    },
    {
      description: 'Evaluate a model folder (generations and NLLs from the built-in engine)',
      command: '<%= config.bin %> <%= command.id %> --model models/example-base --label base-model',
    },
    {
      description: 'Evaluate a served model (here "lrgate serve --model models/example-base --port 8000")',
      command: '<%= config.bin %> <%= command.id %> --endpoint http://127.0.0.1:8000/v1 --label base-served',
    },
    {
      description: 'Add your own evaluator module and print the per-cohort table as JSON',
      command: '<%= config.bin %> <%= command.id %> --outputs out.jsonl --label pr-123 --evaluator ./evals/length.mjs --json',
    },
  ]

  static override flags = {
    outputs: Flags.string({description: 'JSONL outputs file: {"id", "output", "nll"?, "tokens"?} per line', helpValue: '<file.jsonl>', exclusive: ['model', 'endpoint']}),
    model: Flags.string({description: 'lrgate model folder to generate outputs and NLLs with, or "example" (the shipped example base model)', helpValue: '<dir>', exclusive: ['outputs', 'endpoint']}),
    endpoint: Flags.string({description: 'base URL of an OpenAI-compatible server [default: eval.endpoint.url]', helpValue: '<url>', exclusive: ['outputs', 'model']}),
    'endpoint-model': Flags.string({description: 'model to ask the endpoint for [default: eval.endpoint.model, else the only one /v1/models lists]', helpValue: '<name>'}),
    dataset: Flags.string({description: 'dataset name@version or folder [default: datasets.eval of the config]', helpValue: '<name@version|path>'}),
    label: Flags.string({description: 'name to store the evaluation under (what check --candidate/--baseline use) [default: the file or folder name]'}),
    evaluator: Flags.string({description: 'your own evaluator module (JS), added to the configured ones; repeatable', helpValue: '<path>', multiple: true}),
    seed: Flags.integer({description: 'seed of the bootstrap (and of generation) [default: seed of the config]'}),
    resamples: Flags.integer({description: 'bootstrap resamples for the cohort CIs [default: eval.resamples]', min: 100}),
    confidence: Flags.string({description: 'CI level, e.g. 0.95 [default: eval.confidence]'}),
    backend: Flags.string({description: 'compute backend for --model [default: backend of the config]', options: [...BACKENDS]}),
  }

  public async run(): Promise<void> {
    const {config, file} = configFromFlags(this.flags)
    // Loaded here, not at the top: oclif imports every command to list them, and these pull in evaluators.
    const {runEval} = await import('../eval/run-eval.js')
    const {evaluationTable, failuresTable} = await import('../report/table.js')
    const {parseConfidence} = await import('../gate/options.js')
    const {fractionProgress} = await import('../report/progress.js')
    const progress = fractionProgress(process.stderr)
    const warnings: string[] = []
    // SIGINT and SIGTERM alike: generation stops between forward passes and nothing is stored.
    const {onShutdown} = await import('../process/shutdown.js')
    const {Interrupted} = await import('../util/cooperative.js')
    const stop = new AbortController()
    const shutdown = onShutdown({begin: (signal) => stop.abort(signal)})
    let summary
    try {
      summary = await runEval({
        dataset: this.flags.dataset ?? config.datasets.eval,
        outputs: this.flags.outputs,
        model: this.flags.model,
        endpoint: this.flags.endpoint,
        endpointModel: this.flags['endpoint-model'],
        env: process.env,
        onWarning: (message) => warnings.push(`lrgate: warning: ${message}`),
        label: this.flags.label,
        evaluatorPaths: this.flags.evaluator ?? [],
        config,
        configFile: file,
        seed: this.flags.seed ?? config.seed,
        resamples: this.flags.resamples ?? config.eval.resamples,
        confidence: this.flags.confidence === undefined ? config.eval.confidence : parseConfidence(this.flags.confidence),
        backend: this.flags.backend ?? config.backend,
        cwd: process.cwd(),
        openStore: () => dbFromFlags(this.flags),
        onProgress: this.flags.outputs !== undefined ? undefined : (f, phase) => progress.update(f, phase),
        signal: stop.signal,
      })
    } catch (error) {
      if (!(error instanceof Interrupted) || shutdown.signal === null) throw error
      progress.end()
      this.note(`lrgate: ${shutdown.signal}: evaluation stopped; nothing was stored. Run the same command again to evaluate.`)
      process.exitCode = shutdown.exitCode()!
      return
    } finally {
      shutdown.dispose()
    }
    progress.end()
    for (const w of warnings) this.note(w)
    if (this.flags.json) {
      this.printJson(summary)
      return
    }
    const e = summary.evaluation
    this.say(`evaluation #${e.id} "${inert(e.label)}": ${e.records} records of ${e.dataset.ref} (hash ${e.dataset.hash.slice(0, 12)}), ${Math.round(e.confidence * 100)}% bootstrap CIs`)
    this.say(evaluationTable(summary))
    if (summary.failures.length > 0) this.say(failuresTable(summary.failures))
  }
}
