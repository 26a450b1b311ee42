import assert from 'node:assert/strict'
import {afterEach, describe, it} from 'node:test'

import {REFERENCE_SHAPE} from '../../src/model/config.js'
import {arrangeWorkers} from '../../src/sweep/arrange-workers.js'
import {availableMemoryBytes, parseBytes, workerPeakBytes, workersThatFit} from '../../src/sweep/worker-memory.js'

const d256 = {...REFERENCE_SHAPE, dModel: 256, nLayers: 6, nHeads: 8, contextLength: 256}

describe('--parallel auto under a memory cap', () => {
  const saved = process.env.LRGATE_AVAILABLE_MEMORY
  afterEach(() => {
    if (saved === undefined) delete process.env.LRGATE_AVAILABLE_MEMORY
    else process.env.LRGATE_AVAILABLE_MEMORY = saved
  })

  it('estimates a worker near the measured peaks (~0.4 GB at the reference shape, ~0.9 GB at d256)', () => {
    const gb = (b: number) => b / 2 ** 30
    assert.ok(gb(workerPeakBytes(REFERENCE_SHAPE, 16)) > 0.3 && gb(workerPeakBytes(REFERENCE_SHAPE, 16)) < 0.6)
    assert.ok(gb(workerPeakBytes(d256, 8)) > 0.7 && gb(workerPeakBytes(d256, 8)) < 1.2)
  })

  it('reads LRGATE_AVAILABLE_MEMORY and refuses a value that is not a size', () => {
    assert.equal(parseBytes('1.5G'), 1.5 * 2 ** 30)
    assert.equal(parseBytes('512MiB'), 512 * 2 ** 20)
    assert.equal(parseBytes('lots'), null)
    process.env.LRGATE_AVAILABLE_MEMORY = '3G'
    assert.equal(availableMemoryBytes(), 3 * 2 ** 30)
    process.env.LRGATE_AVAILABLE_MEMORY = 'lots'
    assert.throws(() => availableMemoryBytes(), /LRGATE_AVAILABLE_MEMORY="lots": give a size/)
    delete process.env.LRGATE_AVAILABLE_MEMORY
    assert.ok(availableMemoryBytes() > 0)
  })

  it('picks min(cores, ⌊0.8·available / peak per worker⌋), at least one worker', () => {
    const peak = workerPeakBytes(d256, 8)
    for (const [available, cores, want] of [[1.5 * peak, 4, 1], [2.6 * peak, 4, 2], [10 * peak, 4, 4], [0.2 * peak, 4, 1]] as const) {
      const fit = workersThatFit(d256, 8, available)
      assert.equal(arrangeWorkers('auto', 8, cores, fit).workers, want, `${available / peak} peaks on ${cores} cores`)
    }
    // an explicit --parallel is the user's choice, memory or not
    assert.equal(arrangeWorkers(3, 8, 4, 1).workers, 3)
    process.env.LRGATE_AVAILABLE_MEMORY = String(Math.floor(1.5 * workerPeakBytes(REFERENCE_SHAPE, 16)))
    assert.equal(arrangeWorkers('auto', 6, 2, workersThatFit(REFERENCE_SHAPE, 16)).workers, 1)
  })
})
