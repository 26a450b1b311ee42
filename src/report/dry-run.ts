import type {DryRun} from '../sweep/dry-run.js'
import {formatBytes} from '../sweep/artifacts.js'
import {plural} from '../util/plural.js'
import {formatDuration} from './progress.js'
import {renderTable} from './table.js'

/** What `lrgate sweep --dry-run` prints: the candidates, then steps, evaluations, time and disk. */
export function dryRunLines(d: DryRun): string[] {
  const table = renderTable(
    ['candidate', 'lr', 'method', 'replay', 'interpolate', 'steps'],
    d.candidates.map((c) => [c.label, String(c.lr), c.method === 'lora' ? `lora r${c.rank}` : 'full', String(c.replay), String(c.interpolate), c.steps === 0 ? '– (from its parent)' : String(c.steps)]),
    [1, 5],
  )
  const interpolated = d.candidates.length - d.trainedCandidates
  const time =
    d.estimate === null
      ? `training time: not estimated (${d.estimateMissing})`
      : `training time: about ${formatDuration(d.estimate.seconds)} with ${plural(d.workers, 'worker')} (at ${Math.round(d.estimate.tokensPerS).toLocaleString('en-US')} tokens/s, the median of ${plural(d.estimate.fromSteps, 'step')} of ${plural(d.estimate.fromRuns, 'earlier run')} of this base model; evaluations not included)`
  return [
    table,
    `${plural(d.candidates.length, 'candidate')}: ${d.trainedCandidates} trained × ${plural(d.steps, 'step')} = ${plural(d.optimizerSteps, 'optimizer step')}${interpolated > 0 ? `, ${interpolated} interpolated from them` : ''}; ${plural(d.evaluations, 'evaluation')} (the base model and every candidate)${d.earlyStopping ? '; early stopping may prune some' : ''}.`,
    time,
    `disk: about ${formatBytes(d.disk.kept)} kept (a model folder per candidate, the base model is ${formatBytes(d.disk.baseModel)}), up to ${formatBytes(d.disk.peak)} while training (checkpoints with optimizer state).`,
    'Dry run: nothing was trained and nothing was written.',
  ]
}
