import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {DEFAULT_CONFIG} from '../../src/config/defaults.js'
import {loadConfig, parseConfigText} from '../../src/config/load.js'
import {configFieldWhere} from '../../src/config/source.js'
import {InputError} from '../../src/errors.js'

function errorOf(fn: () => unknown): InputError {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`)
    return error
  }
  assert.fail('expected an error')
}

describe('config', () => {
  it('returns the defaults when no config file exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-config-'))
    const {config, file} = loadConfig(undefined, dir)
    assert.equal(file, null)
    assert.deepEqual(config, DEFAULT_CONFIG)
  })

  it('merges a YAML file over the defaults: objects by key, lists and schedules whole', () => {
    const config = parseConfigText(
      ['seed: 7', 'sweep:', '  lrs: [1.0e-4, 2.0e-4]', '  optimizer:', '    weightDecay: 0.1', '  schedule:', '    type: linear', '    endFactor: 0'].join(
        '\n',
      ),
      'lrgate.config.yaml',
    )
    assert.equal(config.seed, 7)
    assert.deepEqual(config.sweep.lrs, [1e-4, 2e-4])
    assert.equal(config.sweep.optimizer.weightDecay, 0.1)
    assert.equal(config.sweep.optimizer.beta2, DEFAULT_CONFIG.sweep.optimizer.beta2)
    assert.deepEqual(config.sweep.schedule, {type: 'linear', endFactor: 0})
    assert.equal(config.sweep.batchSize, DEFAULT_CONFIG.sweep.batchSize)
  })

  it('names the file, line and key of an unknown key', () => {
    const err = errorOf(() => parseConfigText('seed: 1\nsweep:\n  lrs: [0.001]\n  warmup: 10\n', 'lrgate.config.yaml'))
    assert.match(err.message, /^lrgate\.config\.yaml:4: field "sweep\.warmup": unknown key "warmup"/)
  })

  it('names the line and field of a mistyped value', () => {
    const err = errorOf(() => parseConfigText('sweep:\n  lrs:\n    - 0.001\n    - fast\n', 'lrgate.config.yaml'))
    assert.match(err.message, /^lrgate\.config\.yaml:4: field "sweep\.lrs\[1\]": /)
  })

  it('says in plain words what to write instead of a wrong value', () => {
    const cases: Array<[string, RegExp]> = [
      ['sweep:\n  lrs: 3e-5\n', /^lrgate\.config\.yaml:2: field "sweep\.lrs": must be a list, e\.g\. \[3e-5\] \(it is the number 3e-5\)/],
      ['sweep:\n  steps: "100"\n', /field "sweep\.steps": must be a number: write 100 without quotes/],
      ['sweep:\n  steps: 1.5\n', /field "sweep\.steps": must be a whole number, e\.g\. 2/],
      ['backend: gpu\n', /field "backend": must be one of auto, tensorflow, native, cpu \(it is the text "gpu"\)/],
      ['gate:\n  confidence: 2\n', /field "gate\.confidence": must be less than 1 \(it is 2\)/],
      ['sweep:\n  earlyStopping: {enabled: yes}\n', /field "sweep\.earlyStopping\.enabled": must be true or false or auto \(it is the text "yes"\)/],
      ['sweep:\n  lrs: []\n', /field "sweep\.lrs": must list at least 1 item/],
    ]
    for (const [text, message] of cases) {
      const err = errorOf(() => parseConfigText(text, 'lrgate.config.yaml'))
      assert.match(err.message, message)
      assert.doesNotMatch(err.message, /Invalid input|expected array|received/)
    }
  })

  it('names the deepest field of a value no alternative of a union takes', () => {
    const threshold = errorOf(() => parseConfigText('eval:\n  evaluators:\n    - name: relevance\n      threshold: high\n', 'lrgate.config.yaml'))
    assert.equal(threshold.message, 'lrgate.config.yaml:4: field "eval.evaluators[0].threshold": must be a number (it is the text "high"); fix the config file.')
    // the object branch that fits, not the first one: `type: full` takes no rank, `type: lora` a whole number
    const lora = errorOf(() => parseConfigText('sweep:\n  methods:\n    - {type: lora, rank: 2.5}\n', 'lrgate.config.yaml'))
    assert.equal(lora.message, 'lrgate.config.yaml:3: field "sweep.methods[0].rank": must be a whole number, e.g. 3 (it is the number 2.5); fix the config file.')
    const full = errorOf(() => parseConfigText('sweep:\n  methods:\n    - {type: full, rank: 2}\n', 'lrgate.config.yaml'))
    assert.equal(full.message, 'lrgate.config.yaml:3: field "sweep.methods[0].rank": unknown key "rank"; fix the config file.')
    // a union's own message, and a value of no alternative's shape, stay as they were
    assert.match(errorOf(() => parseConfigText('eval:\n  evaluators: [relevanc]\n', 'lrgate.config.yaml')).message, /field "eval\.evaluators\[0\]": "relevanc" is not a built-in evaluator/)
    assert.match(errorOf(() => parseConfigText('eval:\n  evaluators: [3]\n', 'lrgate.config.yaml')).message, /field "eval\.evaluators\[0\]": must be .* or a mapping of keys \(it is the number 3\)/)
  })

  it('keeps the file and line of each gate rule for the metric check at gate time', () => {
    const config = parseConfigText('gate:\n  rules:\n    - cohorts: "ood:*"\n      metric: relevanc\n      maxDrop: 0.02\n', 'lrgate.config.yaml')
    assert.equal(configFieldWhere(config.gate.rules[0], 'metric'), 'lrgate.config.yaml:4: field "gate.rules[0].metric":')
    assert.equal(configFieldWhere(parseConfigText('seed: 1\n', 'lrgate.config.yaml').gate.rules[0], 'metric'), null)
  })

  it('refuses a gate rule with two limits', () => {
    const err = errorOf(() =>
      parseConfigText(JSON.stringify({gate: {rules: [{metric: 'relevance', maxDrop: 0.1, minGain: 0}]}}), 'c.json'),
    )
    assert.match(err.message, /^c\.json: field "gate\.rules\[0\]": a gate rule takes exactly one/)
  })

  it('reports broken YAML with its line', () => {
    const err = errorOf(() => parseConfigText('seed: 1\nsweep: [unclosed\n', 'x.yaml'))
    assert.match(err.message, /^x\.yaml:\d+: not valid YAML/)
  })

  it('refuses a named config file that does not exist', () => {
    const err = errorOf(() => loadConfig('nope.yaml', tmpdir()))
    assert.match(err.message, /nope\.yaml: config file not found/)
  })

  it('finds lrgate.config.json in the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-config-'))
    writeFileSync(join(dir, 'lrgate.config.json'), JSON.stringify({backend: 'cpu'}))
    const {config, file} = loadConfig(undefined, dir)
    assert.equal(config.backend, 'cpu')
    assert.equal(file, join(dir, 'lrgate.config.json'))
  })
})
