import {type ChildProcess, spawn} from 'node:child_process'
import {createServer} from 'node:net'

import {InputError} from '../errors.js'

/** A model served by `eval.serveCommand` for as long as an evaluation needs it. */
export interface ServedModel {
  /** Base URL, http://127.0.0.1:<port>/v1 */
  url: string
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
}

/**
 * Fills `{model}` and `{port}` of a serve command template (`eval.serveCommand`, e.g.
 * `vllm serve {model} --port {port}`), each value single-quoted for the shell.
 *
 * @example fillTemplate('lrgate serve --model {model} --port {port}', {model: 'runs/a b', port: 8001})
 *   // "lrgate serve --model 'runs/a b' --port '8001'"
 */
export function fillTemplate(template: string, values: {model: string; port: number}): string {
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`
  return template.replace(/\{model\}/g, quote(values.model)).replace(/\{port\}/g, quote(String(values.port)))
}

/**
 * Starts `template` (through /bin/sh, in a process group of its own), waits until its
 * `/v1/models` answers 200, and returns the URL and a stop function. A server that exits first, or
 * is not ready in time, is stopped and reported as an InputError with the last lines it printed.
 * The sweep uses this per external candidate; `lrgate serve` is the command for lrgate models.
 */
export async function startServeCommand(template: string, options: ServeCommandOptions): Promise<ServedModel> {
  const port = options.port ?? (await freePort())
  const command = fillTemplate(template, {model: options.model, port})
  // detached: the leader of a new process group, so stop() reaches everything the command started
  const child = spawn('/bin/sh', ['-c', command], {detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd})
  let tail = ''
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-2000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const stop = () => stopGroup(child, exited, options.graceMs ?? 10_000)
  const url = `http://127.0.0.1:${port}/v1`
  const deadline = Date.now() + (options.readySeconds ?? 600) * 1000
  let gone = false
  void exited.then(() => (gone = true))
  while (!(await ready(url))) {
    const last = tail.trim().split('\n').slice(-3).join(' | ')
    if (gone) throw new InputError(`eval.serveCommand "${command}" exited before ${url}/models answered${last ? ` (it printed: ${last})` : ''}; run it by hand to see why.`)
    if (Date.now() > deadline) {
      await stop()
      throw new InputError(`eval.serveCommand "${command}": ${url}/models did not answer within ${options.readySeconds ?? 600} s; raise the wait or check the command.`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return {url, stop}
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

function stopGroup(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
    }
  }
  if (child.exitCode === null && child.signalCode === null) signal('SIGTERM')
  const timer = setTimeout(() => signal('SIGKILL'), graceMs)
  return exited.then(() => {
    clearTimeout(timer)
    // whatever the leader left behind in its group
    signal('SIGKILL')
  })
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
