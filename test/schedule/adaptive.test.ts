import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {adaptiveSchedule} from '../../src/schedule/adaptive.js'
import {validateSchedule} from '../../src/schedule/build.js'
import {describeSchedule} from '../../src/schedule/describe.js'

describe('adaptive schedules (decided during training)', () => {
  it('plateau: warmup first, then the rate drops by factor after more than patience bad validations, never below minLr', () => {
    const s = adaptiveSchedule({type: 'plateau', warmupSteps: 2, factor: 0.5, patience: 1, minLr: 2e-4}, {lr: 1e-3, steps: 20})
    assert.equal(s.adaptive, true)
    assert.deepEqual([0, 1].map((t) => s.lrAt(t)), [0, 5e-4])
    // a validation loss during warmup is not fed
    s.observe({step: 1, lr: 5e-4, loss: 2, valLoss: 0.1})
    const vals = [2.0, 1.9, 1.95, 1.97, 1.99, 2.0, 2.1, 2.2]
    const rates: number[] = []
    vals.forEach((v, i) => {
      s.observe({step: 2 + i, lr: s.lrAt(2 + i), loss: v, valLoss: v})
      rates.push(s.lrAt(3 + i))
    })
    // better, better, bad (1 ≤ patience), bad → ×0.5, bad, bad → ×0.5, bad, bad → floor 2e-4
    assert.deepEqual(rates, [1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4, 2.5e-4, 2e-4])
    // steps without a validation loss change nothing
    s.observe({step: 10, lr: 2e-4, loss: 9, valLoss: null})
    assert.equal(s.lrAt(11), 2e-4)
  })

  it('a closed-form type ignores observations', () => {
    const s = adaptiveSchedule({type: 'constant'}, {lr: 1e-3, steps: 10})
    assert.equal(s.adaptive, false)
    s.observe({step: 0, lr: 1e-3, loss: 1, valLoss: 5})
    assert.equal(s.lrAt(5), 1e-3)
  })

  it('plateau keys are checked like every schedule key', () => {
    assert.throws(() => validateSchedule({type: 'plateau', factor: 1.5}, {lr: 1e-3, steps: 10}), /factor must be in \(0, 1\)/)
    assert.throws(() => validateSchedule({type: 'cosine', patience: 3}, {lr: 1e-3, steps: 10}), /--patience does not apply to --type cosine \(it is read by plateau\)/)
    assert.throws(() => validateSchedule({type: 'plateau', minLr: 1}, {lr: 1e-3, steps: 10}), /--min-lr must not exceed the base rate/)
    assert.match(describeSchedule(validateSchedule({type: 'plateau'}, {lr: 1e-3, steps: 10})), /plateau, lr 0\.001, 10 steps; factor 0\.1, patience 10/)
  })
})
