// One measurement in its own process (a backend, a thread count), printed as JSON on stdout.
import {initBackend} from '../src/compute/backend.js'
import {generateTokensPerS, matmulGflops, trainStepMs} from './measure.js'

const [what, backend, threadsArg, stepsArg] = process.argv.slice(2)
const threads = threadsArg && threadsArg !== '-' ? Number(threadsArg) : undefined
const info = await initBackend(backend, {threads})
const steps = Number(stepsArg ?? 10)
const result: Record<string, unknown> = {backend: info.name, reason: info.reason}
if (what === 'train') result.ms = trainStepMs(steps, backend === 'cpu' ? 0 : 2)
if (what === 'matmul') result.gflops = matmulGflops()
if (what === 'generate') {
  result.cached = generateTokensPerS(true)
  result.uncached = generateTokensPerS(false)
}
process.stdout.write(JSON.stringify(result) + '\n')
