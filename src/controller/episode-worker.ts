// A controller-training worker process (episode-pool.ts): picks the backend it is told, then runs
// the episodes it is sent, one at a time, and answers each with its outcome; exits when the pool
// disconnects.
import {initBackend} from '../compute/backend.js'
import {armLifeline} from '../process/lifeline.js'
import type {EpisodeJob} from './episode-job.js'
import {runEpisodeJob} from './episode-job.js'
import type {PoolReply, PoolRequest} from './episode-pool.js'

// First thing: die with the trainer (kill -9 included); see src/process/.
armLifeline()

const reply = (message: PoolReply): void => {
  if (process.connected) process.send!(message, undefined, undefined, (error) => error && process.exit(3))
}
process.on('disconnect', () => process.exit(0))

// Messages are handled one at a time: the pool sends the next episode only after this one's outcome.
let ready: Promise<unknown> = Promise.resolve()
process.on('message', (message: PoolRequest) => {
  ready = ready.then(async () => {
    if (message.type === 'backend') {
      await initBackend(message.backend, {threads: message.threads})
      return
    }
    const job: EpisodeJob = message.job
    try {
      reply({type: 'outcome', outcome: await runEpisodeJob(job)})
    } catch (error) {
      reply({type: 'error', episode: job.episode, message: (error as Error).stack ?? String(error)})
    }
  })
})
