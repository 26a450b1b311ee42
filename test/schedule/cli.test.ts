import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const work = mkdtempSync(join(tmpdir(), 'lrgate-schedule-'))

/** Runs `lrgate schedule …` from a scratch directory (so no config file of the repo applies). */
function lrgate(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'schedule', ...args, '--db', join(work, 'db.sqlite')], {
    cwd: work,
    encoding: 'utf8',
  })
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

describe('lrgate schedule (CLI)', () => {
  before(() => {
    // npm test builds first (pretest); when run alone, build once.
    if (!existsSync(join(root, 'dist/src/commands/schedule.js'))) {
      spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], {cwd: root, stdio: 'inherit'})
    }
  })

  it('--json prints exactly {"schemaVersion": 1, "lr": [...]}, lr[t] at 0-based step t', () => {
    const r = lrgate('--type', 'step', '--lr', '0.1', '--steps', '6', '--step-size', '2', '--gamma', '0.5', '--warmup-steps', '2', '--json')
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {lr: number[]}
    assert.deepEqual(Object.keys(out), ['schemaVersion', 'lr'])
    assert.deepEqual(out.lr, [0, 0.05, 0.1, 0.1, 0.05, 0.05])
  })

  it('warmup + cosine from flags follows the DESIGN.md rule', () => {
    const r = lrgate('--type', 'cosine', '--lr', '1e-3', '--steps', '300', '--warmup-ratio', '0.1', '--min-lr', '1e-5', '--json')
    const {lr} = JSON.parse(r.stdout) as {lr: number[]}
    assert.equal(lr.length, 300)
    assert.equal(lr[15], 5e-4)
    const p = (200 - 30) / 270
    assert.ok(Math.abs(lr[200] - (1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos(Math.PI * p)))) < 1e-18)
  })

  it('prints a table with a subset of rows for a long run, and a plot with --plot', () => {
    const table = lrgate('--type', 'cosine', '--lr', '1e-3', '--steps', '300', '--warmup-ratio', '0.1')
    assert.equal(table.code, 0, table.stderr)
    assert.match(table.stdout, /^cosine, lr 0.001, 300 steps; warmup 30 steps from 0; tMax 270, minLr 0$/m)
    assert.match(table.stdout, /│ +30 │ 1\.0000e-3 │/)
    assert.match(table.stdout, /36 of 300 steps shown/)
    const plot = lrgate('--type', 'step', '--lr', '0.1', '--steps', '100', '--step-size', '30', '--plot')
    assert.equal(plot.code, 0, plot.stderr)
    assert.match(plot.stdout, /^ *0\.1 \+\*+$/m)
    assert.match(plot.stdout, /^ +0 +step +99$/m)
  })

  it('without --type shows the sweep schedule of the config file', () => {
    const config = join(work, 'lrgate.config.yaml')
    writeFileSync(config, 'sweep:\n  lrs: [2.0e-4]\n  steps: 10\n  schedule:\n    type: linear\n    warmupSteps: 2\n')
    const r = lrgate('--config', config, '--json')
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual((JSON.parse(r.stdout) as {lr: number[]}).lr.slice(0, 4), [0, 1e-4, 2e-4, 1.75e-4])
  })

  it('exits 2 with one sentence naming the flag', () => {
    for (const [args, message] of [
      [['--type', 'step', '--lr', '0.1', '--steps', '10', '--step-size', '3', '--gamma', '0'], 'lrgate: --gamma must be > 0 (got "0").\n'],
      [['--type', 'step', '--lr', '0.1', '--steps', '10'], 'lrgate: --type step needs --step-size (the steps between decays).\n'],
      [['--type', 'multistep', '--lr', '0.1', '--steps', '10', '--milestones', '5,3'], 'lrgate: --milestones must be strictly increasing (got 5,3).\n'],
    ] as const) {
      const r = lrgate(...args, '--json')
      assert.equal(r.code, 2, args.join(' '))
      assert.equal(r.stdout, '')
      assert.equal(r.stderr, message)
    }
    const unknown = lrgate('--type', 'triangle', '--lr', '0.1', '--steps', '10')
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /--type=triangle/)
  })
})

describe('lrgate schedule stays light', () => {
  it('does not import tfjs (walks the import graph of the command)', () => {
    const seen = new Set<string>()
    const external = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
        else external.add(spec)
      }
    }
    visit(join(root, 'src/commands/schedule.ts'))
    assert.ok(seen.size > 10, `walked ${seen.size} files`)
    assert.deepEqual([...external].filter((s) => s.includes('tensorflow')), [])
  })
})
