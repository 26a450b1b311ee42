import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {replaceDir, settleReplacedDir} from '../../src/util/replace-dir.js'

/** A pid that is certainly gone: a child that has already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!

const folder = (path: string, text: string) => {
  mkdirSync(path, {recursive: true})
  writeFileSync(join(path, 'state.json'), text)
}

describe('folders replaced whole (checkpoints, model folders)', () => {
  it('replaceDir swaps in the new folder and leaves nothing beside it', () => {
    const root = mkdtempSync(join(tmpdir(), 'lrgate-replace-'))
    folder(join(root, 'checkpoint'), 'step 10')
    folder(join(root, 'checkpoint.tmp-1'), 'step 20')
    replaceDir(join(root, 'checkpoint.tmp-1'), join(root, 'checkpoint'))
    assert.equal(readFileSync(join(root, 'checkpoint', 'state.json'), 'utf8'), 'step 20')
    assert.deepEqual(readdirSync(root), ['checkpoint'])
  })

  it('a process killed between the renames: the previous folder comes back, the half-written one goes', () => {
    const root = mkdtempSync(join(tmpdir(), 'lrgate-replace-'))
    const pid = deadPid()
    folder(join(root, `checkpoint.old-${pid}`), 'step 10')
    folder(join(root, `checkpoint.tmp-${pid}`), 'step 2')
    assert.deepEqual(settleReplacedDir(join(root, 'checkpoint')).sort(), [`checkpoint.old-${pid}`, `checkpoint.tmp-${pid}`])
    assert.equal(readFileSync(join(root, 'checkpoint', 'state.json'), 'utf8'), 'step 10')
    assert.deepEqual(readdirSync(root), ['checkpoint'])
  })

  it('a process killed after the second rename (a double Ctrl-C): the stale old folder is removed, the new one kept; a live process\'s folders are left alone', () => {
    const root = mkdtempSync(join(tmpdir(), 'lrgate-replace-'))
    const pid = deadPid()
    folder(join(root, 'checkpoint'), 'step 20')
    folder(join(root, `checkpoint.old-${pid}`), 'step 10')
    folder(join(root, `checkpoint.tmp-${process.ppid}`), 'being written')
    folder(join(root, `model.old-${pid}`), 'another folder')
    assert.deepEqual(settleReplacedDir(join(root, 'checkpoint')), [`checkpoint.old-${pid}`])
    assert.equal(readFileSync(join(root, 'checkpoint', 'state.json'), 'utf8'), 'step 20')
    assert.ok(existsSync(join(root, `checkpoint.tmp-${process.ppid}`)), 'a live writer keeps its folder')
    assert.ok(existsSync(join(root, `model.old-${pid}`)), 'only the named folder is settled')
    assert.deepEqual(settleReplacedDir(join(root, 'missing')), [])
  })
})
