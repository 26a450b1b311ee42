import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {InputError} from '../../src/errors.js'
import {Gpt} from '../../src/model/gpt.js'
import {saveModel} from '../../src/model/io.js'
import {CharTokenizer} from '../../src/model/tokenizer.js'
import {fillTemplate, startServeCommand, withServedModel} from '../../src/endpoint/serve-command.js'
import {buildIfStale, ROOT} from '../fixtures/eval/cli.js'

/** Whether `pid` still runs: a zombie (killed, not yet reaped by a PID 1 that may never reap) does not. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    return false
  }
}

/** Polls until `pid` is gone (SIGKILL is delivered asynchronously), at most `ms`. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (alive(pid)) {
    if (Date.now() > end) return false
    await new Promise((r) => setTimeout(r, 50))
  }
  return true
}

describe('eval.serveCommand', () => {
  let model: string
  before(async () => {
    buildIfStale()
    await initBackend('auto')
    model = join(mkdtempSync(join(tmpdir(), 'lrgate-serve-cmd-')), 'my model')
    await saveModel(model, Gpt.init({vocabSize: 96, contextLength: 32, dModel: 16, nLayers: 1, nHeads: 2, dropout: 0, tiedHead: true}, 3), CharTokenizer.ascii())
  })

  it('fills {model} and {port} shell-quoted', () => {
    assert.equal(fillTemplate('vllm serve {model} --port {port}', {model: "it's here", port: 8001}), `vllm serve 'it'\\''s here' --port '8001'`)
  })

  it('starts lrgate serve through the template, waits for /v1/models, and stops its whole process group', async () => {
    const template = `${process.execPath} ${join(ROOT, 'bin', 'run.js')} serve --model {model} --port {port}`
    let pid = 0
    const listed = await withServedModel(template, {model, readySeconds: 120}, async (url) => {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      const body = (await (await fetch(`${url}/models`)).json()) as {data: {id: string}[]}
      const {execFileSync} = await import('node:child_process')
      // the server process itself (a child of the shell the template ran in)
      pid = Number(execFileSync('pgrep', ['-f', `serve --model ${model}`], {encoding: 'utf8'}).trim().split('\n')[0])
      return body.data.map((m) => m.id)
    })
    assert.deepEqual(listed, ['my model'])
    assert.ok(pid > 0)
    assert.equal(await goneWithin(pid, 5000), true, 'the server is gone after stop')
  })

  it('a command that exits before it serves is one sentence with what it printed', async () => {
    await assert.rejects(
      startServeCommand('echo cannot load {model} >&2; exit 3 # {port}', {model: '/nope', readySeconds: 30}),
      (error: unknown) => error instanceof InputError && /exited before http:\/\/127\.0\.0\.1:\d+\/v1\/models answered \(it printed: cannot load \/nope\)/.test(error.message),
    )
  })
})
