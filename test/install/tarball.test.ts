/**
 * lrgate installed the way another repository's CI installs it: `npm pack`, then `npm install -g`
 * of the tarball into an empty prefix (better-sqlite3 and the native kernels compile there: no
 * prebuilt binary can be downloaded), then the installed `lrgate` run from an empty folder.
 * Takes minutes (two C/C++ compiles); the rest of the suite never depends on it.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {buildIfStale, ROOT} from '../fixtures/eval/cli.js'

const MINUTES = 60_000

function run(command: string, args: string[], options: {cwd: string; env?: NodeJS.ProcessEnv; timeout?: number}) {
  const r = spawnSync(command, args, {cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', timeout: options.timeout ?? 10 * MINUTES, maxBuffer: 64 * 1024 * 1024})
  return {status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error}
}

describe('the npm pack tarball', () => {
  const work = mkdtempSync(join(tmpdir(), 'lrgate-tarball-'))
  let tarball = ''

  before(() => {
    buildIfStale()
    // dist/ and oclif.manifest.json are built above, so pack skips the prepare script.
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {cwd: ROOT})
    assert.equal(packed.status, 0, packed.stderr)
    tarball = join(work, (JSON.parse(packed.stdout) as {filename: string}[])[0].filename)
  })

  it('ships the sources of the native kernels and what lrgate runs on, nothing built and nothing huge', () => {
    const files = run('tar', ['tzf', tarball], {cwd: work}).stdout.split('\n').map((f) => f.replace(/^package\//, ''))
    for (const needed of ['bin/run.js', 'dist/src/commands/sweep.js', 'oclif.manifest.json', 'native/binding.gyp', 'native/src/addon.cc', 'scripts/build-native.mjs', 'models/example-base/weights.bin', 'datasets/example-eval/1/manifest.json', 'datasets/example-pretrain/2/manifest.json', 'datasets/example-pretrain/2/brown.jsonl']) {
      assert.ok(files.includes(needed), `${needed} is missing from the tarball`)
    }
    assert.deepEqual(files.filter((f) => f.startsWith('native/build/') || f.endsWith('.map') || f.startsWith('test/') || f.startsWith('src/')), [])
    const mb = statSync(tarball).size / 1e6
    // 9.7 MB with example-pretrain@2 (the replay default, 12 MB unpacked); its @1 stays out
    assert.ok(!files.some((f) => f.startsWith('datasets/example-pretrain/1/')), 'example-pretrain@1 is not shipped')
    assert.ok(mb < 12, `tarball is ${mb.toFixed(1)} MB`)
  })

  it('installs into an empty prefix, builds its native kernels, and runs a 2-step sweep from an empty folder on the native backend', {timeout: 45 * MINUTES}, () => {
    const prefix = join(work, 'prefix')
    mkdirSync(prefix)
    const installed = run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], {cwd: work, timeout: 40 * MINUTES})
    assert.equal(installed.status, 0, `${installed.stdout}\n${installed.stderr}`)
    const pkg = join(prefix, 'lib', 'node_modules', 'lrgate')
    assert.ok(existsSync(join(pkg, 'native', 'build', 'Release', 'lrgate_native.node')), 'the native kernels were compiled at install')

    const empty = join(work, 'empty')
    mkdirSync(empty)
    const env: NodeJS.ProcessEnv = {...process.env, PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: ''}
    delete env.LRGATE_DB
    const lrgate = (args: string[]) => run('lrgate', args, {cwd: empty, env})

    const version = lrgate(['--version'])
    assert.equal(version.status, 0, version.stderr)
    assert.match(version.stdout, /^lrgate\/0\.\d+\.\d+ /)
    const datasets = lrgate(['datasets', 'list', '--json'])
    assert.equal(datasets.status, 0, datasets.stderr)
    assert.match(datasets.stdout, /"example-eval@1"/)
    assert.deepEqual(readdirSync(empty), [], 'read-only commands leave the folder empty')

    // The shipped example, 2 steps; short generations (a config outside the folder) keep it quick.
    const config = join(work, 'quick.json')
    writeFileSync(config, JSON.stringify({eval: {generation: {maxTokens: 4}, resamples: 200}, gate: {resamples: 200}}))
    const sweep = lrgate(['sweep', '--steps', '2', '--lr', '1e-4', '--backend', 'native', '--parallel', '1', '--config', config, '--json'])
    assert.equal(sweep.status, 0, sweep.stderr)
    assert.match(sweep.stderr, /^backend: native /m)
    const out = JSON.parse(sweep.stdout) as {candidates: {label: string; status: string}[]; recommended: string | null}
    assert.deepEqual(out.candidates.map((c) => [c.label, c.status]), [['lr-1e-4', 'completed']])
    // The hints it prints name the installed command, which works here.
    const shown = lrgate(['runs', 'show', '1'])
    assert.equal(shown.status, 0, shown.stderr)
    assert.ok(existsSync(join(empty, '.lrgate', 'lrgate.db')))
  })
})
