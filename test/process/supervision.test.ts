import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {exitCodeFor, isSecretName, liveChildren, maskedEnv, maskSecrets, spawnSupervised} from '../../src/process/index.js'

const PARENT = fileURLToPath(new URL('../fixtures/process/parent.ts', import.meta.url))

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  // A zombie still answers kill 0: count it as gone.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return false
  }
}

async function goneWithin(pids: number[], ms: number): Promise<number> {
  const start = Date.now()
  while (pids.some(alive) && Date.now() - start < ms) await sleep(20)
  return Date.now() - start
}

function startParent(mode: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', PARENT, mode], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...env}})
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const pids = new Promise<Record<string, number>>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as Record<string, number>)
    })
    child.on('exit', () => reject(new Error(`parent exited early: ${stderr}`)))
  })
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('exit', (code, signal) => resolve({code, signal})))
  return {child, pids, exited, stderr: () => stderr}
}

describe('process supervision', () => {
  it('stop() ends the whole group: SIGTERM, then SIGKILL after the grace for what ignores it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-proc-'))
    const file = join(dir, 'grandchild')
    // A shell that ignores SIGTERM, with a grandchild in its group.
    const s = spawnSupervised('sh', ['-c', `trap '' TERM; sleep 60 & echo $! > ${file}; while true; do sleep 0.1; done`], {stdio: 'ignore'})
    for (let i = 0; i < 100 && !readSafe(file); i++) await sleep(50)
    const grandchild = Number(readSafe(file))
    assert.ok(grandchild > 0 && alive(grandchild))
    assert.equal(liveChildren(), 1)
    const started = Date.now()
    const exit = await s.stop({graceMs: 500})
    const took = Date.now() - started
    assert.equal(exit.signal, 'SIGKILL', JSON.stringify(exit))
    assert.ok(took >= 400, `waited the grace before SIGKILL (${took} ms)`)
    await goneWithin([grandchild], 20000)
    assert.ok(!alive(grandchild), 'the grandchild is gone too')
    assert.equal(liveChildren(), 0)
  })

  it('reports the exit code of the program behind the guardian, and a program that cannot start', async () => {
    const ok = spawnSupervised('sh', ['-c', 'exit 7'], {stdio: 'ignore'})
    assert.deepEqual(await ok.exited, {code: 7, signal: null})
    const missing = spawnSupervised('/nonexistent/trainer', [], {stdio: ['ignore', 'ignore', 'pipe']})
    let err = ''
    missing.child.stderr!.on('data', (d) => (err += d))
    assert.equal((await missing.exited).code, 127)
    assert.match(err, /cannot start \/nonexistent\/trainer/)
  })

  it('kill -9 of the parent: a busy lrgate child, an outside program and its grandchild are all gone soon after (the watchdog polls; a loaded machine may take seconds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-proc-'))
    const file = join(dir, 'grandchild')
    const p = startParent('orphans', {GRANDCHILD_FILE: file})
    const pids = await p.pids
    for (let i = 0; i < 100 && !readSafe(file); i++) await sleep(50)
    const all = [pids.outside, pids.worker, Number(readSafe(file))]
    assert.ok(all.every((pid) => pid > 0 && alive(pid)), `all started: ${JSON.stringify(all)}`)
    await sleep(300) // the worker is blocked in its loop, its watchdog armed
    p.child.kill('SIGKILL')
    await p.exited
    const took = await goneWithin(all, 20000)
    assert.deepEqual(all.filter(alive), [], `children still alive ${took} ms after the parent died`)
  })

  it('SIGTERM and SIGINT take one graceful path; past the deadline every child group is killed and the exit code kept', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'lrgate-proc-'))
      const p = startParent('shutdown', {GRANDCHILD_FILE: join(dir, 'g'), DEADLINE_MS: '1500'})
      const pids = await p.pids
      await sleep(300)
      p.child.kill(signal)
      const exit = await p.exited
      assert.equal(exit.code, exitCodeFor(signal), p.stderr())
      assert.match(p.stderr(), new RegExp(`parent: ${signal}: stopping[\\s\\S]*not finished 2 s after ${signal}[\\s\\S]*parent: forced after ${signal}`))
      assert.ok((await goneWithin([pids.outside, pids.worker], 2000)) < 2000, 'children killed with the forced exit')
    }
    assert.equal(exitCodeFor('SIGINT'), 130)
    assert.equal(exitCodeFor('SIGTERM'), 143)
  })

  it('masks secrets of the environment in anything logged or stored', () => {
    const env = {HF_TOKEN: 'hf_abcdef123', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', DB_PASSWORD: 'hunter22', MY_CREDENTIALS: 'user:pw99', PATH: '/usr/bin', SHORT_KEY: 'ab'}
    assert.ok(isSecretName('api_key') && isSecretName('GITHUB_TOKEN') && !isSecretName('PATH') && !isSecretName('MONKEY'.replace('KEY', 'K')))
    const line = 'train --token hf_abcdef123 --aws wJalrXUtnFEMI/K7MDENG pw=hunter22 auth=user:pw99 in /usr/bin ab'
    assert.equal(maskSecrets(line, env), 'train --token *** --aws *** pw=*** auth=*** in /usr/bin ab')
    const shown = maskedEnv(env)
    assert.equal(shown.HF_TOKEN, '***')
    assert.equal(shown.PATH, '/usr/bin')
    assert.ok(!JSON.stringify(shown).includes('hunter22'))
  })
})

function readSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    return ''
  }
}
