import type {Progress} from '../util/progress.js'
import type {WorkerMessage} from './messages.js'

const started = new Set<string>()

/** Shows a worker's message on the sweep's progress display (one bar per candidate and evaluation key). */
export function onWorkerMessage(m: WorkerMessage, progress: Progress): void {
  switch (m.type) {
    case 'start':
      if (!started.has(m.key)) progress.start(m.key, m.label.split('/').pop()!, m.total, m.unit)
      started.add(m.key)
      break
    case 'progress':
      progress.update(m.key, m.value, m.fields)
      break
    case 'log':
      progress.log(m.line)
      break
    case 'done':
      progress.finish(m.key, m.status === 'completed' ? 'done' : `${m.status}: ${m.message}`)
      started.delete(m.key)
      break
    case 'failed':
      progress.finish(m.key, `failed: ${m.message}`)
      started.delete(m.key)
      break
    case 'backend':
      break
  }
}
