import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {parseConfigText} from '../../src/config/load.js'
import {InputError} from '../../src/errors.js'
import {batchSizeAt} from '../../src/schedule/batch-ramp.js'
import {scheduledValues} from '../../src/schedule/scheduled-values.js'

const CONFIGURED = {batchSize: 8, clipNorm: 1, weightDecay: 0.1}

describe('sweep.schedules: batch size, clip norm and weight decay per step', () => {
  it('the batch-size ramp: round(start + (full - start) * min(1, t / rampSteps)), then the full batch', () => {
    const ramp = {start: 2, rampSteps: 4}
    assert.deepEqual([0, 1, 2, 3, 4, 5, 100].map((t) => batchSizeAt(ramp, 8, t)), [2, 4, 5, 7, 8, 8, 8])
    const values = scheduledValues({batchSize: ramp}, CONFIGURED, 10)
    assert.equal(values.batchSizeAt(2), 5)
    assert.equal(values.clipNormAt(7), 1)
    assert.equal(values.weightDecayAt(7), 0.1)
  })

  it('clip norm and weight decay: a schedule family as a multiplier of the configured value', () => {
    const values = scheduledValues(
      {weightDecay: {type: 'step', stepSize: 10, gamma: 0.5}, clipNorm: {type: 'cosine', warmupSteps: 2, minLr: 0.5}},
      {...CONFIGURED, clipNorm: 2}, 22,
    )
    assert.deepEqual([0, 9, 10, 19, 20].map((t) => values.weightDecayAt(t)), [0.1, 0.1, 0.05, 0.05, 0.025])
    // warmup from 0 to 1 over 2 steps, then cosine from 1 to 0.5 over 20: at t = 12 (halfway) 0.75 × 2
    assert.equal(values.clipNormAt(0), 0)
    assert.equal(values.clipNormAt(1), 1)
    assert.equal(values.clipNormAt(2), 2)
    assert.ok(Math.abs(values.clipNormAt(12) - 1.5) < 1e-12)
    assert.ok(Math.abs(values.clipNormAt(21) - 2 * (0.5 + 0.25 * (1 + Math.cos((Math.PI * 19) / 20)))) < 1e-12)
  })

  it('refuses a ramp above the batch, a schedule decided during training, and bad fields (naming the key)', () => {
    assert.throws(() => scheduledValues({batchSize: {start: 9, rampSteps: 4}}, CONFIGURED, 10), (e: Error) => e instanceof InputError && /^sweep\.schedules\.batchSize\.start must be at most sweep\.batchSize \(8\)/.test(e.message))
    assert.throws(() => scheduledValues({clipNorm: {type: 'plateau'}}, CONFIGURED, 10), /sweep\.schedules\.clipNorm\.type plateau is decided during training/)
    assert.throws(() => scheduledValues({weightDecay: {type: 'step'}}, CONFIGURED, 10), /sweep\.schedules\.weightDecay\.type step needs sweep\.schedules\.weightDecay\.stepSize/)
    const file = 'lrgate.config.yaml'
    assert.throws(() => parseConfigText('sweep:\n  schedules:\n    batchSize: {start: 0, rampSteps: 4}\n', file), /lrgate\.config\.yaml:3: field "sweep\.schedules\.batchSize\.start": .*fix the config file/)
    assert.throws(() => parseConfigText('sweep:\n  ema: {decay: 1.5}\n', file), /lrgate\.config\.yaml:2: field "sweep\.ema\.decay"/)
    const ok = parseConfigText('sweep:\n  ema: {decay: 0.9}\n', file)
    assert.deepEqual(ok.sweep.ema, {decay: 0.9, warmup: true, evaluate: 'alongside'})
  })
})
