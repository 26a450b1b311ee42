import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {describe, it} from 'node:test'

import {ROOT} from '../fixtures/eval/cli.js'

const HEAVY = [/^@tensorflow\//, /\/src\/(model|train|compute)\//]

/** Every module reachable from `entry` through static imports (dynamic `import()` is not followed). */
function staticGraph(entry: string): {files: Set<string>; packages: Set<string>} {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      if (/^import\s+type\s/.test(m[0]) || /^export\s+type\s/.test(m[0])) continue
      const spec = m[1]
      if (!spec.startsWith('.')) {
        packages.add(spec)
        continue
      }
      const ts = resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
      if (existsSync(ts)) visit(ts)
    }
  }
  visit(entry)
  return {files, packages}
}

describe('light imports', () => {
  for (const entry of ['src/commands/check.ts', 'src/commands/eval.ts', 'src/eval/run-eval.ts', 'src/commands/runs/list.ts', 'src/commands/baseline/promote.ts']) {
    it(`${entry} does not statically reach tfjs, src/model, src/train or src/compute`, () => {
      const {files, packages} = staticGraph(join(ROOT, entry))
      const heavy = [...files, ...packages].filter((f) => HEAVY.some((re) => re.test(f)))
      assert.deepEqual(heavy, [])
      assert.ok(files.size > 3)
    })
  }

  it('the walker does see tfjs where it is imported (control)', () => {
    const {packages} = staticGraph(join(ROOT, 'src/train/trainer.ts'))
    assert.ok([...packages].some((p) => p.startsWith('@tensorflow/')))
  })

  it('the check command does not load the evaluators (ajv, stop words)', () => {
    const {files, packages} = staticGraph(join(ROOT, 'src/commands/check.ts'))
    assert.ok(![...packages].some((p) => p === 'ajv' || p.startsWith('@stdlib/')), [...packages].join(' '))
    assert.ok(![...files].some((f) => f.endsWith('evaluators/index.ts')))
  })
})
