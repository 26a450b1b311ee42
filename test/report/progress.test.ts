import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'
import {before, describe, it} from 'node:test'

import {createProgress, fractionProgress} from '../../src/report/progress.js'
import {buildIfStale, lrgate, ROOT} from '../fixtures/eval/cli.js'

/** A stream that is not a terminal (as CI's stderr), collecting what is written. */
function logStream(): {stream: NodeJS.WriteStream; text: () => string} {
  const chunks: string[] = []
  const stream = new PassThrough() as unknown as NodeJS.WriteStream
  stream.on('data', (c: Buffer) => chunks.push(c.toString()))
  return {stream, text: () => chunks.join('')}
}

describe('progress in CI logs', () => {
  before(() => buildIfStale())

  it('a training of 100 steps starts with "100 steps", an evaluation with no count', async () => {
    const {stream, text} = logStream()
    const progress = createProgress(stream)
    progress.start('train', 'lr-1e-5', 100)
    progress.start('eval', 'lr-1e-5 eval', 100, 'percent')
    progress.start('one', 'lr-1e-3', 1)
    await new Promise((r) => setImmediate(r))
    const lines = text().trim().split('\n').map((l) => l.slice(9))
    assert.deepEqual(lines, ['lr-1e-5: started (100 steps)', 'lr-1e-5 eval: started', 'lr-1e-3: started (1 step)'])
  })

  it('fraction progress without a terminal writes whole lines, one per phase start and per 10%', async () => {
    const {stream, text} = logStream()
    const p = fractionProgress(stream)
    for (let i = 0; i <= 40; i++) p.update(i / 40, 'generate')
    for (let i = 0; i <= 4; i++) p.update(i / 4, 'score')
    p.end()
    await new Promise((r) => setImmediate(r))
    assert.ok(!text().includes('\r'))
    const lines = text().trim().split('\n').map((l) => l.slice(9))
    assert.deepEqual(lines, [
      'generate 0%', 'generate 10%', 'generate 20%', 'generate 30%', 'generate 40%', 'generate 50%', 'generate 60%', 'generate 70%', 'generate 80%', 'generate 90%', 'generate 100%',
      'score 0%', 'score 25%', 'score 50%', 'score 75%', 'score 100%',
    ])
  })

  it('eval --model with stderr not a terminal: no carriage return, every progress line ends', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-progress-'))
    const r = lrgate(['eval', '--model', 'example', '--dataset', join(ROOT, 'test', 'fixtures', 'datasets', 'datasets', 'tiny-eval', '1'), '--label', 'x', '--db', join(cwd, 'db.sqlite')], {cwd})
    assert.equal(r.status, 0, r.stderr)
    assert.ok(!r.stderr.includes('\r'), JSON.stringify(r.stderr))
    assert.match(r.stderr, /^\d\d:\d\d:\d\d generate \d+%$/m)
    assert.match(r.stderr, /^\d\d:\d\d:\d\d generate 100%$/m)
  })
})
