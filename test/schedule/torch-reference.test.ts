import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {scheduleValues} from '../../src/schedule/build.js'
import {type PlateauOptions, PlateauSchedule} from '../../src/schedule/plateau.js'
import type {ScheduleSpec} from '../../src/schedule/spec.js'

// Made by scripts/check-schedules-torch.py from torch.optim.lr_scheduler (PyTorch 1.13).
interface Fixture {
  torchVersion: string
  cases: {name: string; torch: string; spec: ScheduleSpec; lr: number[]; recursive: number[]}[]
  plateau: {name: string; torch: string; lr0: number; options: Partial<PlateauOptions>; metrics: number[]; lr: number[]}[]
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/schedule/torch-reference.json', import.meta.url), 'utf8')) as Fixture

function assertClose(actual: number[], expected: number[], rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`)
  actual.forEach((a, t) => {
    const e = expected[t]
    assert.ok(Math.abs(a - e) <= rel * Math.abs(e), `${what}: step ${t}: ${a} vs torch ${e}`)
  })
}

describe('schedules equal torch.optim.lr_scheduler to 1e-9 relative (no warmup)', () => {
  it('covers every PyTorch-backed type', () => {
    const types = new Set(fixture.cases.map((c) => c.spec.type))
    for (const type of ['step', 'multistep', 'exponential', 'cosine', 'cosine-restarts', 'one-cycle', 'polynomial', 'linear']) {
      assert.ok(types.has(type as ScheduleSpec['type']), type)
    }
  })

  for (const c of fixture.cases) {
    it(`${c.name}: ${c.torch}`, () => {
      const ours = scheduleValues(c.spec)
      // the closed form (or the direct value of WarmRestarts / OneCycleLR) …
      assertClose(ours, c.lr, 1e-9, c.name)
      // … and PyTorch's chainable form, which differs from it only in the last bits
      assertClose(ours, c.recursive, 1e-9, `${c.name} (recursive)`)
    })
  }
})

describe('PlateauSchedule equals ReduceLROnPlateau', () => {
  for (const c of fixture.plateau) {
    it(`${c.name}: ${c.torch}`, () => {
      const plateau = new PlateauSchedule(c.lr0, c.options)
      assertClose(
        c.metrics.map((m) => plateau.step(m)),
        c.lr,
        1e-12,
        c.name,
      )
    })
  }
})
