import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {renderPlot} from '../../src/report/terminal-plot.js'
import {pickRows} from '../../src/schedule/rows.js'

describe('pickRows', () => {
  it('shows every step of a short run', () => {
    assert.deepEqual(pickRows(5), {steps: [0, 1, 2, 3, 4], stride: 1, all: true})
  })

  it('shows the edges, every k-th step (k round) and the marks of a long run', () => {
    const pick = pickRows(1000, {marks: [99, 100]})
    assert.equal(pick.stride, 50)
    assert.equal(pick.all, false)
    assert.deepEqual(pick.steps.slice(0, 4), [0, 1, 2, 50])
    assert.deepEqual(pick.steps.slice(-3), [997, 998, 999])
    assert.ok(pick.steps.includes(99) && pick.steps.includes(100))
    assert.ok(pick.steps.length <= 40)
  })
})

describe('renderPlot', () => {
  it('draws a falling line within the width, labelled with its min and max', () => {
    const plot = renderPlot([{label: 'lr', y: [4, 3, 2, 1, 0]}], {width: 40, height: 5, xLabel: 'step', yLabel: 'lr'})
    const lines = plot.split('\n')
    assert.equal(lines[0], 'lr')
    assert.ok(lines.every((l) => l.length <= 40), plot)
    assert.match(lines[1], /^4 \+\*/) // max at the top left
    assert.match(lines[5], /^0 \+ +\*+$/) // min at the bottom right
    assert.match(lines[3], /^2 \+/) // middle label
    assert.match(lines[7], /^ {2}0 +step +4$/)
  })

  it('puts a flat line in the middle, skips non-finite points, and adds a legend for several series', () => {
    const plot = renderPlot(
      [
        {label: 'a', y: [1, 1, 1]},
        {label: 'b', y: [Number.NaN, 1, Infinity]},
      ],
      {width: 30, height: 5},
    )
    const lines = plot.split('\n')
    assert.match(lines[2], /^ +1 \+[*o]+$/)
    assert.equal(lines.at(-1)?.trim(), '* a   o b')
  })

  it('supports x values and log axes, and says when there is nothing to plot', () => {
    const plot = renderPlot([{label: 'loss', x: [1e-6, 1e-4, 1e-2], y: [3, 2, 5]}], {width: 40, height: 3, logX: true})
    assert.match(plot, /1\.00e-6 +0\.01$/m)
    assert.equal(renderPlot([{label: 'x', y: [Number.NaN]}]), '(nothing to plot)')
  })
})
