import Table from 'cli-table3'

import type {FindLrOutcome} from '../find-lr/run-find-lr.js'
import {SUGGESTION_NAMES, type Suggestions, suggestionWindow} from '../find-lr/suggest.js'
import {compactLr} from '../schedule/describe.js'
import {renderPlot} from './terminal-plot.js'

const EXPLAIN: Record<keyof Suggestions, string> = {
  valley: 'middle of the longest fall of the loss (fastai default)',
  steep: 'steepest fall of the loss against log lr',
  minimum: 'a tenth of the lr at the lowest loss',
}

/** The suggestions as a table: name, learning rate, smoothed loss there, what it means; * marks the anchor. */
export function suggestionTable(outcome: Pick<FindLrOutcome, 'suggestions' | 'anchor'>): string {
  const table = new Table({head: ['suggestion', 'lr', 'smoothed loss', 'rule'], colAligns: ['left', 'right', 'right', 'left'], style: {head: [], border: [], compact: true}})
  for (const name of SUGGESTION_NAMES) {
    const s = outcome.suggestions[name]
    const mark = name === outcome.anchor ? ' *' : ''
    table.push([name + mark, s === null ? '–' : s.lr.toExponential(2), s === null ? '–' : s.loss.toFixed(4), s === null ? 'the loss never falls' : EXPLAIN[name]])
  }
  return table.toString()
}

/**
 * Smoothed and raw loss against the learning rate (log x), the suggestions marked. As fastai's plot,
 * the last 5 points (the blow-up) are left out, and raw losses above 1.5x the first smoothed loss are
 * not drawn, so the fall the suggestions come from fills the height.
 */
export function rangePlot(outcome: Pick<FindLrOutcome, 'points' | 'suggestions'>): string {
  const {to} = suggestionWindow(outcome.points.length)
  const shown = outcome.points.slice(0, to)
  const cap = 1.5 * (shown[0]?.smoothed ?? Number.POSITIVE_INFINITY)
  const x = shown.map((p) => p.lr)
  const series = [
    {label: 'loss', x, y: shown.map((p) => (p.loss <= cap ? p.loss : Number.NaN))},
    {label: 'smoothed loss', x, y: shown.map((p) => p.smoothed)},
  ]
  for (const name of ['valley', 'steep'] as const) {
    const s = outcome.suggestions[name]
    if (s !== null) series.push({label: name, x: [s.lr], y: [s.loss]})
  }
  return renderPlot(series, {logX: true, xLabel: 'learning rate', yLabel: 'loss (nats/token)'})
}

/** A learning-rate list as --lr takes it: 3e-5,1e-4,3e-4 */
export function lrList(lrs: readonly number[]): string {
  return lrs.map(compactLr).join(',')
}
