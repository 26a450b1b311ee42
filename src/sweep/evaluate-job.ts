import {mkdirSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {initBackend} from '../compute/backend.js'
import {loadDataset} from '../datasets/load.js'
import {loadModel} from '../model/io.js'
import {runArtifactRoot} from '../store/candidates.js'
import {setBaseEvaluation} from '../store/runs.js'
import {evaluateWithCommand} from './evaluate-command.js'
import {evaluateModel} from './evaluate-model.js'
import type {Send, SweepJob} from './messages.js'
import {openWorkerDb} from './worker-db.js'

type EvaluateJob = Extract<SweepJob, {kind: 'evaluate'}>

/** Evaluates an existing model (the base, or the promoted baseline) on the sweep's eval dataset. */
export async function runEvaluateJob(job: EvaluateJob, send: Send): Promise<void> {
  const db = openWorkerDb(job.dbPath)
  try {
    const backend = await initBackend(job.backend, {threads: job.threads})
    send({type: 'backend', name: backend.name, reason: backend.reason})
    const dataset = await loadDataset(job.plan.eval, {cwd: job.plan.cwd})
    send({type: 'start', key: job.key, label: job.label, total: 100})
    const template = job.plan.evaluation.outputsCommand
    let evaluationId: number
    if (template !== undefined) {
      // The same route as the candidates: the user's generation script.
      const workDir = join(runArtifactRoot(db, job.runId) ?? dirname(job.dbPath), job.key)
      mkdirSync(workDir, {recursive: true})
      evaluationId = await evaluateWithCommand(db, {template, modelDir: job.modelDir, dataset, plan: job.plan, label: job.label, runId: job.runId, workDir})
    } else {
      const {model, tokenizer} = loadModel(job.modelDir)
      evaluationId = await evaluateModel(db, {
        model, tokenizer, modelDir: job.modelDir, dataset, plan: job.plan, label: job.label, runId: job.runId, backend: backend.name,
        onProgress: (f, phase) => send({type: 'progress', key: job.key, value: Math.round(100 * f), fields: {phase}}),
      })
      model.dispose()
    }
    if (job.role === 'base') setBaseEvaluation(db, job.runId, evaluationId)
    send({type: 'done', key: job.key, status: 'completed', evaluationId, message: 'evaluated'})
  } finally {
    db.close()
  }
}
