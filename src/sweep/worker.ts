// A sweep worker process: receives one job over IPC, runs it, reports progress, exits.
import {InputError} from '../errors.js'
import {armLifeline} from '../process/lifeline.js'
import {describeStorageFault} from '../store/storage-fault.js'
import {runCandidateJob} from './candidate-job.js'
import {runEvaluateJob} from './evaluate-job.js'
import type {SweepJob, WorkerMessage} from './messages.js'

// First thing: die with the sweep (kill -9 included) and never write a row after it (see src/process/).
armLifeline()

// A failed send means the sweep is gone: stop as a kill would (the last checkpoint stands).
const send = (message: WorkerMessage): void => {
  if (process.connected) process.send!(message, undefined, undefined, (error) => error && process.exit(3))
}

let stop: string | null = null
// The sweep stops its workers' process groups with SIGTERM (Ctrl-C and CI cancellation alike):
// finish the step, checkpoint, report, exit.
process.on('SIGINT', () => (stop = 'interrupted'))
process.on('SIGTERM', () => (stop = 'interrupted'))
// The sweep itself is gone (kill -9): stop at once, as a kill would; the last checkpoint stands.
process.on('disconnect', () => process.exit(3))

process.once('message', async (job: SweepJob) => {
  try {
    if (job.kind === 'candidate') await runCandidateJob(job, send, () => stop)
    else await runEvaluateJob(job, send)
    process.exitCode = 0
  } catch (error) {
    // A full disk or a read-only folder is said in one sentence and stops the sweep resumably.
    const storage = describeStorageFault(error, job.dbPath)
    send({type: 'failed', key: job.key, message: storage ?? (error as Error).message, input: error instanceof InputError, storage: storage !== null})
    if (!(error instanceof InputError) && storage === null) process.stderr.write(`${(error as Error).stack}\n`)
    process.exitCode = 1
  } finally {
    process.disconnect?.()
  }
})
