import {mkdirSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {initBackend} from '../compute/backend.js'
import {loadDataset} from '../datasets/load.js'
import {runArtifactRoot} from '../store/candidates.js'
import {setBaseEvaluation} from '../store/runs.js'
import {evaluateWithCommand} from './evaluate-command.js'
import {evaluateModel} from './evaluate-model.js'
import {evaluateServed} from './evaluate-served.js'
import type {Send, SweepJob} from './messages.js'
import {evaluationRoute} from './trainer-plan.js'
import {openWorkerDb} from './worker-db.js'

type EvaluateJob = Extract<SweepJob, {kind: 'evaluate'}>

/** Evaluates an existing model (the base, or the promoted baseline) on the sweep's eval dataset. */
export async function runEvaluateJob(job: EvaluateJob, send: Send): Promise<void> {
  const db = openWorkerDb(job.dbPath)
  try {
    const backend = await initBackend(job.backend, {threads: job.threads})
    send({type: 'backend', name: backend.name, reason: backend.reason})
    const dataset = await loadDataset(job.plan.eval, {cwd: job.plan.cwd})
    send({type: 'start', key: job.key, label: job.label, total: 100, unit: 'percent'})
    // The same route as the candidates (trainer-plan.ts evaluationRoute), so both are measured alike.
    const route = evaluationRoute(job.plan.evaluation)
    const workDir = join(runArtifactRoot(db, job.runId) ?? dirname(job.dbPath), job.key)
    const onProgress = (f: number, phase: string) => send({type: 'progress', key: job.key, value: Math.round(100 * f), fields: {phase}})
    let evaluationId: number
    if (route.kind === 'outputs') {
      mkdirSync(workDir, {recursive: true})
      evaluationId = await evaluateWithCommand(db, {template: route.template, modelDir: job.modelDir, dataset, plan: job.plan, label: job.label, runId: job.runId, workDir})
    } else if (route.kind === 'serve') {
      mkdirSync(workDir, {recursive: true})
      evaluationId = await evaluateServed(db, {
        template: route.template, modelDir: job.modelDir, dataset, plan: job.plan, label: job.label, runId: job.runId, workDir, onProgress,
        onWarning: (message) => send({type: 'log', line: `${job.label}: warning: ${message}`}),
      })
    } else {
      evaluationId = await evaluateModel(db, {modelDir: job.modelDir, dataset, plan: job.plan, label: job.label, runId: job.runId, backend: backend.name, onProgress})
    }
    if (job.role === 'base') setBaseEvaluation(db, job.runId, evaluationId)
    send({type: 'done', key: job.key, status: 'completed', evaluationId, message: 'evaluated'})
  } finally {
    db.close()
  }
}
