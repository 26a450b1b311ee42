import type {Dataset} from '../datasets/types.js'
import type {Store} from '../store/db.js'
import {evaluateWithCommand} from './evaluate-command.js'
import {evaluateModel} from './evaluate-model.js'
import {evaluateServed} from './evaluate-served.js'
import type {Send, SweepJob} from './messages.js'
import {evaluationRoute} from './trainer-plan.js'

type CandidateJob = Extract<SweepJob, {kind: 'candidate'}>

/**
 * Evaluates a candidate's model folder by the sweep's evaluation route (trainer-plan.ts
 * evaluationRoute: an outputs command, a served model, or lrgate's own evaluate-model.ts) and stores
 * it under `job.label` for `job.candidateId`; returns the evaluation id. Every candidate the sweep
 * trains (and its `+ema` average) is evaluated here.
 */
export async function evaluateCandidate(
  db: Store, job: CandidateJob, modelDir: string, evalSet: Dataset, backend: string, stopReason: () => string | null,
  onProgress: (fraction: number, phase: string) => void, send: Send,
): Promise<number> {
  const {plan} = job
  const route = evaluationRoute(plan.evaluation)
  if (route.kind === 'outputs') {
    return evaluateWithCommand(db, {template: route.template, modelDir, dataset: evalSet, plan, label: job.label, runId: job.runId, candidateId: job.candidateId, workDir: job.runDir, stopReason})
  }
  if (route.kind === 'serve') {
    return evaluateServed(db, {
      template: route.template, modelDir, dataset: evalSet, plan, label: job.label, runId: job.runId, candidateId: job.candidateId, workDir: job.runDir, onProgress,
      onWarning: (message) => send({type: 'log', line: `${job.label}: warning: ${message}`}),
    })
  }
  return evaluateModel(db, {modelDir, dataset: evalSet, plan, label: job.label, runId: job.runId, candidateId: job.candidateId, backend, onProgress})
}
