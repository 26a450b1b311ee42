import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {PlateauSchedule} from '../../src/schedule/plateau.js'

const feed = (plateau: PlateauSchedule, metrics: number[]) => metrics.map((m) => plateau.step(m))

describe('PlateauSchedule (ReduceLROnPlateau semantics)', () => {
  it('reduces after more than `patience` evaluations without improvement', () => {
    const plateau = new PlateauSchedule(1, {patience: 2, factor: 0.5})
    // 1.0 best; three bad in a row → drop on the third; then counting starts over
    assert.deepEqual(feed(plateau, [1, 1, 1, 1, 1, 1, 1]), [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
  })

  it('an improvement resets the count', () => {
    const plateau = new PlateauSchedule(1, {patience: 1, factor: 0.5})
    assert.deepEqual(feed(plateau, [3, 3, 2, 2, 1, 1, 1]), [1, 1, 1, 1, 1, 1, 0.5])
  })

  it('cooldown ignores bad evaluations after a drop', () => {
    const plateau = new PlateauSchedule(1, {patience: 0, cooldown: 2, factor: 0.5})
    // drop at eval 2; evals 3-4 cool down; eval 5 is bad again → drop
    assert.deepEqual(feed(plateau, [1, 1, 1, 1, 1, 1]), [1, 0.5, 0.5, 0.5, 0.25, 0.25])
  })

  it('relative threshold: a gain smaller than threshold·best is no improvement', () => {
    const plateau = new PlateauSchedule(1, {patience: 0, threshold: 0.1, factor: 0.5})
    // 0.95 is not < 1·0.9 → bad → drop; 0.8 is < 0.9 → better
    assert.deepEqual(feed(plateau, [1, 0.95, 0.8]), [1, 0.5, 0.5])
  })

  it('never goes below minLr and skips drops smaller than eps', () => {
    const plateau = new PlateauSchedule(1, {patience: 0, factor: 0.5, minLr: 0.3})
    assert.deepEqual(feed(plateau, [1, 1, 1, 1]), [1, 0.5, 0.3, 0.3])
    // 0.3 → max(0.15, 0.25) is a drop of 0.05 < eps 0.1: skipped
    const coarse = new PlateauSchedule(0.3, {patience: 0, factor: 0.5, minLr: 0.25, eps: 0.1})
    assert.deepEqual(feed(coarse, [1, 1]), [0.3, 0.3])
  })

  it('a NaN metric counts as a bad evaluation', () => {
    const plateau = new PlateauSchedule(1, {patience: 0, factor: 0.5})
    assert.deepEqual(feed(plateau, [1, Number.NaN]), [1, 0.5])
  })

  it('mode max treats higher as better', () => {
    const plateau = new PlateauSchedule(1, {mode: 'max', patience: 0, factor: 0.5})
    assert.deepEqual(feed(plateau, [0.1, 0.2, 0.3, 0.3]), [1, 1, 1, 0.5])
  })

  it('rejects bad options', () => {
    assert.throws(() => new PlateauSchedule(1, {factor: 1}), /must be in \(0, 1\)/)
  })
})
