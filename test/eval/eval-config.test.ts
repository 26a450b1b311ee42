import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {parseConfigText} from '../../src/config/load.js'
import {InputError} from '../../src/errors.js'

function errorOf(text: string): string {
  try {
    parseConfigText(text, 'lrgate.config.yaml')
  } catch (error) {
    assert.ok(error instanceof InputError)
    return error.message
  }
  assert.fail('expected an InputError')
}

describe('eval and gate config', () => {
  it('accepts built-ins by name, with options, and user modules by path', () => {
    const config = parseConfigText(
      ['eval:', '  evaluators:', '    - relevance', '    - {name: regex, pattern: "^A:", cohorts: "target:*", threshold: 1}', '    - {path: evals/short.mjs, metric: short}'].join('\n'),
      'lrgate.config.yaml',
    )
    assert.deepEqual(config.eval.evaluators, ['relevance', {name: 'regex', pattern: '^A:', cohorts: 'target:*', threshold: 1}, {path: 'evals/short.mjs', metric: 'short'}])
  })

  it('names the line of an unknown evaluator and lists the built-ins', () => {
    assert.match(errorOf('eval:\n  evaluators:\n    - relevance\n    - relevanse\n'), /^lrgate\.config\.yaml:4: field "eval\.evaluators\[1\]": "relevanse" is not a built-in evaluator; use one of relevance, hallucination, perplexity, json-valid, exact-match, contains, regex/)
    assert.match(errorOf('eval:\n  evaluators:\n    - {name: rouge}\n'), /field "eval\.evaluators\[0\]": "rouge" is not a built-in evaluator/)
  })

  it('refuses failRate as a metric name and an entry with both name and path', () => {
    assert.match(errorOf('eval:\n  evaluators:\n    - {name: contains, value: x, metric: failRate}\n'), /"failRate" is computed by lrgate/)
    assert.match(errorOf('eval:\n  evaluators:\n    - {name: relevance, path: x.mjs}\n'), /give exactly one of "name"/)
  })
})
