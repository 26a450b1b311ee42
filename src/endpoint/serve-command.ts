import {appendFileSync, mkdirSync} from 'node:fs'
import {createServer} from 'node:net'
import {dirname} from 'node:path'

import {InputError} from '../errors.js'
import {spawnSupervised} from '../process/index.js'
import {renderTemplate} from '../trainer/template.js'

/** A model served by `eval.serveCommand` for as long as an evaluation needs it. */
export interface ServedModel {
  /** Base URL, http://127.0.0.1:<port>/v1 */
  url: string
  /** The command line that runs (placeholders filled). */
  command: string
  /** Stops the server's whole process group (SIGTERM, SIGKILL after `graceMs`) and waits for it. */
  stop(): Promise<void>
}

export interface ServeCommandOptions {
  /** The model folder substituted for {model}. */
  model: string
  /** The port substituted for {port}; default a free one on 127.0.0.1. */
  port?: number
  /** How long to wait for GET /v1/models to answer 200 [default 600 s: servers load weights first]. */
  readySeconds?: number
  graceMs?: number
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Every line the server prints (stdout and stderr) is appended here, after `mask`. */
  logFile?: string
  /** Applied to each printed line before it is logged or quoted in an error (secrets → ***). */
  mask?: (line: string) => string
}

/**
 * Fills `{model}` and `{port}` of a serve command template (`eval.serveCommand`, e.g.
 * `vllm serve {model} --port {port}`), each value single-quoted for the shell; `{{`/`}}` are
 * literal braces, as in every lrgate command template (trainer/template.ts).
 *
 * @example fillTemplate('lrgate serve --model {model} --port {port}', {model: 'runs/a b', port: 8001})
 *   // "lrgate serve --model 'runs/a b' --port '8001'"
 */
export function fillTemplate(template: string, values: {model: string; port: number}): string {
  return renderTemplate(template, {model: values.model, port: String(values.port)})
}

/**
 * Starts `template` (through /bin/sh, in a process group of its own behind src/process's guardian),
 * waits until its `/v1/models` answers 200, and returns the URL and a stop function. A server that
 * exits first, or is not ready in time, is stopped and reported as an InputError with the last
 * lines it printed. The sweep uses this per model when `eval.serveCommand` is set; `lrgate serve`
 * is the command for lrgate model folders.
 */
export async function startServeCommand(template: string, options: ServeCommandOptions): Promise<ServedModel> {
  const port = options.port ?? (await freePort())
  const command = fillTemplate(template, {model: options.model, port})
  const mask = options.mask ?? ((line: string) => line)
  if (options.logFile) mkdirSync(dirname(options.logFile), {recursive: true})
  const supervised = spawnSupervised('/bin/sh', ['-c', command], {cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']})
  const child = supervised.child
  let tail: string[] = []
  let partial = ''
  const keep = (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n')
    partial = lines.pop() ?? ''
    const masked = lines.map(mask)
    if (options.logFile && masked.length > 0) appendFileSync(options.logFile, masked.map((l) => `${l}\n`).join(''))
    tail = [...tail, ...masked].slice(-20)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let gone = false
  child.once('exit', () => (gone = true))
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const graceMs = options.graceMs ?? 10_000
  const stop = async () => {
    await supervised.stop({graceMs})
  }
  const url = `http://127.0.0.1:${port}/v1`
  const readySeconds = options.readySeconds ?? 600
  const deadline = Date.now() + readySeconds * 1000
  while (!(await ready(url))) {
    if (gone) {
      // what it printed last may still be in the pipes
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))])
      await stop()
      const last = [...tail, ...(partial ? [mask(partial)] : [])].filter((l) => l.trim() !== '').slice(-3).join(' | ')
      throw new InputError(`eval.serveCommand "${mask(command)}" exited before ${url}/models answered${last ? ` (it printed: ${last})` : ''}; run it by hand to see why.`)
    }
    if (Date.now() > deadline) {
      await stop()
      throw new InputError(`eval.serveCommand "${mask(command)}": ${url}/models did not answer within ${readySeconds} s; check the command (it may need longer to load the model).`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return {url, command, stop}
}

/** Serves `options.model` with `template` while `fn` runs, and always stops it afterwards. */
export async function withServedModel<T>(template: string, options: ServeCommandOptions, fn: (url: string) => Promise<T>): Promise<T> {
  const served = await startServeCommand(template, options)
  try {
    return await fn(served.url)
  } finally {
    await served.stop()
  }
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/models`, {signal: AbortSignal.timeout(2000)})
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}
