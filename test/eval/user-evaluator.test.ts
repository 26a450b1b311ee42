import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {InputError} from '../../src/errors.js'
import {loadEvaluators} from '../../src/eval/load-evaluators.js'
import {loadUserEvaluator} from '../../src/eval/user-evaluator.js'

const dir = mkdtempSync(join(tmpdir(), 'lrgate-user-eval-'))
const write = (name: string, text: string) => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const GOOD = `export default {
  name: 'short-answer',
  needs: ['output'],
  direction: 'higher',
  threshold: 1,
  score: (r) => (r.output.split(' ').length <= 12 ? 1 : {value: 0, reason: 'too long'}),
}
`

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (error) {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`)
    return error.message
  }
  assert.fail('expected an InputError')
}

describe('user evaluators', () => {
  it('loads a module exporting the interface and scores with it', async () => {
    const e = await loadUserEvaluator(write('good.mjs', GOOD), {})
    assert.equal(e.name, 'short-answer')
    assert.equal(await e.score({id: 'x', cohort: 'c', output: 'two words'}), 1)
  })

  it('accepts a named "evaluator" export and a factory taking the config options', async () => {
    const named = await loadUserEvaluator(write('named.mjs', GOOD.replace('export default', 'export const evaluator =')), {})
    assert.equal(named.name, 'short-answer')
    const factory = write('factory.mjs', `export default (o) => ({name: 'min-len', needs: ['output'], direction: 'higher', threshold: o.threshold, score: (r) => r.output.length})\n`)
    const configured = await loadEvaluators({specs: [{path: 'factory.mjs', threshold: 3}], configFile: join(dir, 'lrgate.config.yaml'), cwd: '/'})
    assert.equal(configured[0].evaluator.threshold, 3)
    assert.equal(configured[0].descriptor.path, factory)
    assert.equal(configured[0].descriptor.source, 'module')
  })

  it('refuses a module that does not export the interface, naming the module and field', async () => {
    const noScore = write('no-score.mjs', `export default {name: 'x', needs: ['output'], direction: 'higher'}\n`)
    assert.match(await rejection(loadUserEvaluator(noScore, {}, 'evals/no-score.mjs')), /^evals\/no-score\.mjs: does not export an lrgate evaluator \(field "score": expected a function\)/)
    const badNeeds = write('bad-needs.mjs', `export default {name: 'x', needs: ['answer'], direction: 'up', score: () => 1}\n`)
    assert.match(await rejection(loadUserEvaluator(badNeeds, {})), /bad-needs\.mjs: does not export an lrgate evaluator \(field "needs\[0\]"/)
    const nothing = write('nothing.mjs', `export const x = 1\n`)
    assert.match(await rejection(loadUserEvaluator(nothing, {})), /nothing\.mjs: does not export an lrgate evaluator \(no default or "evaluator" export\)/)
    assert.match(await rejection(loadUserEvaluator(join(dir, 'missing.mjs'), {}, 'missing.mjs')), /^missing\.mjs: evaluator module not found/)
    const broken = write('broken.mjs', `export default {\n`)
    assert.match(await rejection(loadUserEvaluator(broken, {}, 'broken.mjs')), /^broken\.mjs: cannot load the evaluator module/)
  })

  it('resolves --evaluator paths against cwd and refuses two evaluators with one metric', async () => {
    write('good2.mjs', GOOD)
    const loaded = await loadEvaluators({specs: ['relevance'], configFile: null, modulePaths: ['good.mjs'], cwd: dir})
    assert.deepEqual(loaded.map((e) => e.descriptor.metric), ['relevance', 'short-answer'])
    assert.match(
      await rejection(loadEvaluators({specs: [], configFile: null, modulePaths: ['good.mjs', 'good2.mjs'], cwd: dir})),
      /two evaluators store scores as "short-answer"/,
    )
    const renamed = await loadEvaluators({specs: [{name: 'contains', value: 'a'}, {name: 'contains', value: 'b', metric: 'contains-b'}], configFile: null, cwd: dir})
    assert.deepEqual(renamed.map((e) => e.descriptor.metric), ['contains', 'contains-b'])
  })
})
