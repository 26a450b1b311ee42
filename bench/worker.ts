// One measurement in its own process (a backend, a thread count, a shape), printed as JSON on
// stdout with the process's peak RSS.
import {initBackend} from '../src/compute/backend.js'
import {generateTokensPerS, matmulGflops, profile, profileKernels, scoreTokensPerS, type Shape, shapeGemmGflops, trainStepMs} from './measure.js'

const [what, backend, threadsArg, stepsArg, shapeArg, ...rest] = process.argv.slice(2)
const threads = threadsArg && threadsArg !== '-' ? Number(threadsArg) : undefined
const info = await initBackend(backend, {threads})
const steps = Number(stepsArg ?? 10)
const [D, L, H, T, B] = (shapeArg ?? '128,4,4,128,16').split(',').map(Number)
const shape: Shape = {D, L, H, T, B}
const result: Record<string, unknown> = {backend: info.name, reason: info.reason}
if (what === 'train') {
  if (rest.includes('--profile')) profileKernels()
  result.ms = trainStepMs(shape, steps, backend === 'cpu' ? 0 : 1)
  if (profile.size > 0) result.profile = Object.fromEntries([...profile].map(([k, v]) => [k, v / steps]))
}
if (what === 'gemm') result.gflops = shapeGemmGflops(shape)
if (what === 'matmul') result.gflops = matmulGflops()
if (what === 'generate') {
  const [batch, prompts, temperature] = rest.map(Number)
  const rate = generateTokensPerS(shape, batch, prompts, temperature)
  result.tokens_per_s = rate.tokensPerS
  result.first_run_tokens_per_s = rate.firstRunTokensPerS
}
if (what === 'generate-uncached') result.tokens_per_s = generateTokensPerS(shape, 8, 8, 0, false).tokensPerS
if (what === 'score') result.tokens_per_s = scoreTokensPerS(shape, Number(rest[0]))
result.peak_rss_mb = process.resourceUsage().maxRSS / 1024
process.stdout.write(JSON.stringify(result) + '\n')
