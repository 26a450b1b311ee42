import assert from 'node:assert/strict'
import {cpSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {fileImports, importGraph} from './import-graph.js'
import {describeViolation, layerViolations, readLayers} from './layers.js'

const root = join(fileURLToPath(import.meta.url), '../../..')

/** The whole tree's violations, as the rule sees them. */
function violations(dir: string): string[] {
  return layerViolations([...importGraph(dir, 'src'), ...importGraph(dir, 'evaluators')], readLayers(dir)).map(describeViolation)
}

describe('architecture: layers (docs/architecture.md)', () => {
  it('no module imports a higher layer or a peer (static, type-only and dynamic imports)', () => {
    assert.deepEqual(violations(root), [])
  })

  it('every folder of src/ is placed in the order', () => {
    const placed = readLayers(root).flat()
    const folders = importGraph(root, 'src').map((e) => /^src\/([^/]+)[/.]/.exec(e.from)![1].replace(/\.ts$/, ''))
    assert.deepEqual([...new Set(folders)].filter((f) => !placed.includes(f)), [])
  })

  it('reads type-only, re-export and dynamic imports from the compiler', () => {
    const text = [
      "import type {A} from '../report/a.js'",
      "import {type B} from '../gate/b.js'",
      "export {C} from '../sweep/c.js'",
      "const d = await import('../cli/d.js')",
      "type E = import('../commands/e.js').E",
    ].join('\n')
    const edges = fileImports(root, 'src/datasets/x.ts', text)
    assert.deepEqual(edges.map((e) => [e.to, e.kind]), [
      ['src/report/a.ts', 'type'],
      ['src/gate/b.ts', 'type'],
      ['src/sweep/c.ts', 'static'],
      ['src/cli/d.ts', 'dynamic'],
      ['src/commands/e.ts', 'type'],
    ])
    assert.equal(layerViolations(edges, readLayers(root)).length, 5)
  })

  it('fails on a back-edge planted in a copy of the tree (a type-only import of report from datasets)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'lrgate-layers-'))
    for (const dir of ['src', 'evaluators', 'docs']) cpSync(join(root, dir), join(copy, dir), {recursive: true})
    const file = join(copy, 'src', 'datasets', 'load.ts')
    writeFileSync(file, `import type {RunReportData} from '../report/html/types.js'\n${readFileSync(file, 'utf8')}`)
    const found = violations(copy)
    assert.equal(found.length, 1)
    assert.match(found[0], /^src\/datasets\/load\.ts:1 \(type import of src\/report\/html\/types\.ts\): datasets \(layer 4\) imports report \(layer 16\), a higher layer$/)
  })

  it('refuses peers importing each other and folders missing from the order', () => {
    const layers = [['util'], ['sweep', 'find-lr'], ['report']]
    const edge = (from: string, to: string) => ({from, to, line: 1, kind: 'static' as const})
    const found = layerViolations([edge('src/find-lr/a.ts', 'src/sweep/b.ts'), edge('src/report/a.ts', 'src/util/b.ts'), edge('src/newthing/a.ts', 'src/util/b.ts')], layers)
    assert.deepEqual(found.map((v) => v.why), ['find-lr and sweep are peers (layer 1)', 'newthing is not in the layer order'])
  })
})
