import {rmSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {loadEvaluators} from '../eval/load-evaluators.js'
import {matchOutputs} from '../eval/match-outputs.js'
import {readOutputsFile} from '../eval/outputs-file.js'
import {evaluateAndStore} from '../eval/store-evaluation.js'
import type {Store} from '../store/db.js'
import {describeExit, runTrainer} from '../trainer/run-trainer.js'
import {renderTemplate} from '../trainer/template.js'
import {evaluationSettings} from '../eval/evaluation-settings.js'
import type {EvaluationTarget} from './evaluation-target.js'
import {maskSecrets} from '../process/index.js'

/** A model folder evaluated through `eval.outputsCommand` instead of lrgate's own model loader. */
export interface CommandEvaluation extends EvaluationTarget {
  template: string
  /** where outputs.jsonl and outputs.log are written */
  workDir: string
  stopReason?: () => string | null
}

/** Raised when the outputs command fails; its message names the exit status and the log file. */
export class OutputsCommandError extends Error {}

/**
 * Runs the user's generation script ({model} {dataset} {outputs}, in its own process group, secrets
 * masked in its log), reads the outputs file it wrote (each line checked as for `lrgate eval
 * --outputs`), scores and stores the evaluation; returns its id.
 */
export async function evaluateWithCommand(db: Store, e: CommandEvaluation): Promise<number> {
  const outputs = join(e.workDir, 'outputs.jsonl')
  const logFile = join(e.workDir, 'outputs.log')
  rmSync(outputs, {force: true})
  const outcome = await runTrainer({
    command: renderTemplate(e.template, {model: e.modelDir, dataset: e.dataset.dir, outputs}),
    cwd: e.plan.cwd,
    env: {...process.env, LRGATE_RUN_ID: String(e.runId), LRGATE_OUTPUT_DIR: dirname(outputs)},
    logFile,
    mask: (text: string) => maskSecrets(text),
    log: 'jsonl',
    outputDir: e.workDir,
    timeoutMs: null,
    onStep: () => null,
    shouldStop: e.stopReason ?? (() => null),
  })
  if (outcome.status !== 'exited' || outcome.exitCode !== 0) {
    const why = outcome.status === 'exited' ? describeExit(outcome).replace('the trainer', 'eval.outputsCommand') : `eval.outputsCommand was stopped (${outcome.reason})`
    throw new OutputsCommandError(`${why}; see ${logFile}`)
  }
  const records = readOutputsFile(outputs, outputs)
  const evaluators = await loadEvaluators({specs: e.plan.evaluation.evaluators, configFile: e.plan.configFile, cwd: e.plan.cwd})
  const stored = await evaluateAndStore(db, {
    dataset: e.dataset,
    outputs: matchOutputs(e.dataset, records, outputs),
    evaluators,
    label: e.label,
    source: 'outputs',
    modelDir: e.modelDir,
    outputsFile: outputs,
    runId: e.runId,
    ...(e.candidateId === undefined ? {} : {candidateId: e.candidateId}),
    backend: 'external',
    seed: evaluationSettings(e.plan.seed, e.plan.evaluation.generation).seed,
    resamples: e.plan.evaluation.resamples,
    confidence: e.plan.evaluation.confidence,
  })
  return stored.evaluationId
}
