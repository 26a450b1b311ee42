import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {importGraph, sourceFiles} from './import-graph.js'

const root = join(fileURLToPath(import.meta.url), '../../..')

describe('architecture: only src/store/ talks SQL', () => {
  it('no module outside src/store/ imports better-sqlite3 or the store-internal handle (src/store/sql.ts)', () => {
    const offenders = importGraph(root)
      .filter((e) => !e.from.startsWith('src/store/') && (e.to === 'better-sqlite3' || e.to === 'src/store/sql.ts'))
      .map((e) => `${e.from}:${e.line} imports ${e.to}`)
    assert.deepEqual(offenders, [])
  })

  it('no module outside src/store/ writes SQL text or calls a statement API', () => {
    const sqlText = /\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b|\.prepare\(|\.pragma\(/
    const offenders = sourceFiles(root, 'src')
      .filter((f) => !f.startsWith('src/store/'))
      .flatMap((f) => readFileSync(join(root, f), 'utf8').split('\n').map((line, i) => ({f, line, i})))
      .filter(({line}) => sqlText.test(line))
      .map(({f, i, line}) => `${f}:${i + 1}: ${line.trim()}`)
    assert.deepEqual(offenders, [])
  })
})
