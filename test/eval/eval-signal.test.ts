import assert from 'node:assert/strict'
import {existsSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {buildIfStale, ROOT} from '../fixtures/eval/cli.js'
import {lrgateAsync} from '../fixtures/sweep/workplace.js'

const fixtures = join(ROOT, 'test', 'fixtures')

describe('lrgate eval under SIGTERM', () => {
  before(() => buildIfStale())

  it('stops generating within 10 s, says nothing was stored, exits 143 and leaves no database', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-eval-signal-'))
    const db = join(cwd, 'lrgate.db')
    // 650 generations of the frozen example model: seconds of synchronous inference.
    const args = ['eval', '--model', join(fixtures, 'models', 'example-base-v1'), '--dataset', join(fixtures, 'eval-pin', 'example-eval-1'), '--label', 'x', '--db', db]
    const child = lrgateAsync(cwd, args)
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    while (!/generate \d+%/.test(stderr)) {
      if (child.exitCode !== null) assert.fail(`eval ended before generating: ${stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.doesNotMatch(stderr, /generate 100%/, 'still generating when the signal is sent')
    const sent = Date.now()
    child.kill('SIGTERM')
    const code = await exited
    const took = Date.now() - sent
    process.stdout.write(`# eval exited ${took} ms after SIGTERM\n`)
    assert.equal(code, 143, stderr)
    assert.ok(took < 10_000, `exited ${took} ms after SIGTERM`)
    assert.match(stderr, /SIGTERM: evaluation stopped; nothing was stored/)
    assert.equal(existsSync(db), false, 'no database was created')
  })
})
