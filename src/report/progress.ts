import cliProgress from 'cli-progress'
import {safeLines} from '../util/inert.js'

import type {Progress, ProgressFields, ProgressUnit} from '../util/progress.js'

const fmt = {
  loss: (x?: number) => (x === undefined || !Number.isFinite(x) ? '  -   ' : x.toFixed(4)),
  lr: (x?: number) => (x === undefined ? '   -   ' : x.toExponential(2)),
  tps: (x?: number) => (x === undefined ? '   -' : Math.round(x).toString().padStart(5)),
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  if (quiet) return {start() {}, update() {}, finish() {}, log() {}, stop() {}}
  return stream.isTTY ? new TerminalProgress(stream) : new LineProgress(stream)
}

class TerminalProgress implements Progress {
  private readonly multi: cliProgress.MultiBar
  private readonly bars = new Map<string, cliProgress.SingleBar>()

  constructor(stream: NodeJS.WriteStream) {
    this.multi = new cliProgress.MultiBar(
      {
        stream,
        format: ' {label} {bar} {value}/{total} {phase} loss {loss} lr {lr} {tps} tok/s ETA {eta_formatted}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
        etaBuffer: 30,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    )
  }

  start(key: string, label: string, total: number): void {
    this.bars.set(key, this.multi.create(total, 0, {label: label.padEnd(14), phase: '', loss: fmt.loss(), lr: fmt.lr(), tps: fmt.tps()}))
  }

  update(key: string, value: number, fields: ProgressFields = {}): void {
    this.bars.get(key)?.update(value, {phase: fields.phase ?? '', loss: fmt.loss(fields.loss), lr: fmt.lr(fields.lr), tps: fmt.tps(fields.tokensPerS)})
  }

  finish(key: string, message: string): void {
    const bar = this.bars.get(key)
    if (bar) {
      bar.update(bar.getTotal(), {phase: message})
      bar.stop()
    }
  }

  log(line: string): void {
    this.multi.log(line + '\n')
  }

  stop(): void {
    this.multi.stop()
  }
}

/** For CI logs: a line per task at most every 15 s, plus its start and end. */
class LineProgress implements Progress {
  private readonly tasks = new Map<string, {label: string; total: number; unit: ProgressUnit; started: number; lastPrint: number}>()

  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(key: string, label: string, total: number, unit: ProgressUnit = 'steps'): void {
    this.tasks.set(key, {label, total, unit, started: Date.now(), lastPrint: Date.now()})
    this.log(unit === 'percent' ? `${label}: started` : `${label}: started (${total} ${total === 1 ? 'step' : 'steps'})`)
  }

  update(key: string, value: number, fields: ProgressFields = {}): void {
    const task = this.tasks.get(key)
    if (!task || Date.now() - task.lastPrint < 15_000) return
    task.lastPrint = Date.now()
    const elapsed = (Date.now() - task.started) / 1000
    const eta = value > 0 ? (elapsed / value) * (task.total - value) : Number.NaN
    const parts = [task.unit === 'percent' ? `${task.label}: ${Math.round((100 * value) / task.total)}%` : `${task.label}: ${value}/${task.total}`]
    if (fields.phase) parts.push(fields.phase)
    if (fields.loss !== undefined) parts.push(`loss ${fmt.loss(fields.loss)}`)
    if (fields.lr !== undefined) parts.push(`lr ${fmt.lr(fields.lr)}`)
    if (fields.tokensPerS !== undefined) parts.push(`${Math.round(fields.tokensPerS)} tok/s`)
    parts.push(`ETA ${formatDuration(eta)}`)
    this.log(parts.join('  '))
  }

  finish(key: string, message: string): void {
    const task = this.tasks.get(key)
    if (task) this.log(`${task.label}: ${message} (${formatDuration((Date.now() - task.started) / 1000)})`)
  }

  log(line: string): void {
    this.stream.write(`${new Date().toISOString().slice(11, 19)} ${safeLines(line)}\n`)
  }

  stop(): void {}
}

/**
 * Progress of one evaluation (`eval --model`) as a fraction per phase: on a terminal one line
 * rewritten in place (carriage return); otherwise (CI logs) whole timestamped lines, one when a
 * phase starts and one per further 10%, never a carriage return. `end()` closes the terminal line.
 */
export function fractionProgress(stream: NodeJS.WriteStream = process.stderr): {update(fraction: number, phase: string): void; end(): void} {
  let written = false
  let last = {phase: '', percent: -100}
  return {
    update(fraction, phase) {
      const percent = Math.floor(fraction * 100)
      if (stream.isTTY) {
        stream.write(`\r${phase} ${percent}%   `)
        written = true
        return
      }
      if (phase === last.phase && percent < last.percent + 10 && percent < 100) return
      if (phase === last.phase && percent === last.percent) return
      last = {phase, percent: phase === last.phase ? percent - (percent % 10) : percent}
      stream.write(`${new Date().toISOString().slice(11, 19)} ${phase} ${percent}%\n`)
    },
    end() {
      if (written) stream.write('\n')
      written = false
    },
  }
}
