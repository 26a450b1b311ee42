import {initBackend} from '../compute/backend.js'
import {loadDataset} from '../datasets/load.js'
import {loadModel} from '../model/io.js'
import {setBaseEvaluation} from '../store/runs.js'
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
    const {model, tokenizer} = loadModel(job.modelDir)
    send({type: 'start', key: job.key, label: job.label, total: 100})
    const evaluationId = await evaluateModel(db, {
      model, tokenizer, modelDir: job.modelDir, dataset, plan: job.plan, label: job.label, runId: job.runId, backend: backend.name,
      onProgress: (f, phase) => send({type: 'progress', key: job.key, value: Math.round(100 * f), fields: {phase}}),
    })
    model.dispose()
    if (job.role === 'base') setBaseEvaluation(db, job.runId, evaluationId)
    send({type: 'done', key: job.key, status: 'completed', evaluationId, message: 'evaluated'})
  } finally {
    db.close()
  }
}
