// `lrgate serve` completions throughput: the shipped example base model (the reference shape)
// served by a real `lrgate serve` child process on 127.0.0.1, asked by 1 and then 8 concurrent
// clients for greedy completions of the example-eval prompts. Prints completion tokens per second
// for each and the ratio (batching works when 8 clients get well over 1 client's rate).
// `npm run bench` runs it after bench/run.ts; alone: `node --import tsx bench/serve.ts [--json] [--quick]`.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const json = process.argv.includes('--json')
const quick = process.argv.includes('--quick')
// the default eval.generation.maxTokens: what an evaluation asks a served model for
const MAX_TOKENS = 64
const PER_CLIENT = quick ? 2 : 4
const log = (s: string) => !json && process.stderr.write(s + '\n')

const prompts = readFileSync(join(root, 'datasets/example-eval/1/eval.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as {input?: string})
  .flatMap((r) => (r.input === undefined ? [] : [r.input]))

const child = spawn(process.execPath, [join(root, 'bin/run.js'), 'serve', '--model', join(root, 'models/example-base'), '--port', '0'], {stdio: ['ignore', 'pipe', 'inherit']})
const url = await new Promise<string>((resolve, reject) => {
  let out = ''
  child.stdout.on('data', (d) => {
    out += d
    const m = /(http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(out)
    if (m) resolve(m[1])
  })
  child.on('exit', (code) => reject(new Error(`lrgate serve exited ${code}`)))
})

async function complete(prompt: string): Promise<number> {
  const response = await fetch(`${url}/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    // no stop sequence: every request generates MAX_TOKENS tokens, so the work per request is fixed
    body: JSON.stringify({prompt, max_tokens: MAX_TOKENS, temperature: 0}),
  })
  const body = (await response.json()) as {usage: {completion_tokens: number}}
  return body.usage.completion_tokens
}

/** Completion tokens per second with `clients` clients, each sending PER_CLIENT requests one after another. */
async function throughput(clients: number): Promise<{tokensPerSecond: number; requests: number; seconds: number}> {
  let next = 0
  const start = performance.now()
  const counts = await Promise.all(
    Array.from({length: clients}, async () => {
      let tokens = 0
      for (let i = 0; i < PER_CLIENT; i++) tokens += await complete(prompts[next++ % prompts.length])
      return tokens
    }),
  )
  const seconds = (performance.now() - start) / 1000
  return {tokensPerSecond: counts.reduce((a, b) => a + b, 0) / seconds, requests: clients * PER_CLIENT, seconds}
}

try {
  await complete(prompts[0]) // warm-up: first-call compilation and caches
  log(`serve: 1 client × ${PER_CLIENT} requests of ${MAX_TOKENS} tokens …`)
  const one = await throughput(1)
  log(`serve: 8 clients × ${PER_CLIENT} requests …`)
  const eight = await throughput(8)
  const result = {
    serveTokensPerSecond1: Number(one.tokensPerSecond.toFixed(1)),
    serveTokensPerSecond8: Number(eight.tokensPerSecond.toFixed(1)),
    serveSpeedup8: Number((eight.tokensPerSecond / one.tokensPerSecond).toFixed(2)),
  }
  if (json) process.stdout.write(JSON.stringify(result) + '\n')
  else {
    process.stdout.write(`lrgate serve, example base model, greedy, ${MAX_TOKENS} new tokens per request\n`)
    process.stdout.write(`  1 client : ${result.serveTokensPerSecond1} completion tokens/s (${one.requests} requests in ${one.seconds.toFixed(1)} s)\n`)
    process.stdout.write(`  8 clients: ${result.serveTokensPerSecond8} completion tokens/s (${eight.requests} requests in ${eight.seconds.toFixed(1)} s), ${result.serveSpeedup8}x one client (goal ≥ 3x)\n`)
  }
} finally {
  child.kill('SIGTERM')
}
