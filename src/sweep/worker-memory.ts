import {existsSync, readFileSync} from 'node:fs'
import {freemem} from 'node:os'

import {InputError} from '../errors.js'
import type {GptConfig} from '../model/config.js'
import {parameterShapes} from '../model/config.js'

/** Node, tfjs and the addon before any model (measured: ~0.3 GB RSS). */
const BASE_BYTES = 300 * 2 ** 20

/**
 * Peak resident memory of one training worker, estimated from the shape and fitted to the
 * peaks bench/ measures (README "Compute"): weights, gradients, two AdamW moments and the
 * copies checkpoints and evaluation make (~6 × 4 bytes a parameter), plus the activations tfjs
 * keeps for the backward pass (~24·D + 2·H·T floats per token per layer).
 */
export function workerPeakBytes(config: GptConfig, batchSize: number): number {
  const params = parameterShapes(config).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0)
  const {dModel: D, nHeads: H, contextLength: T, nLayers: L} = config
  const activations = batchSize * T * L * (24 * D + 2 * H * T) * 4
  return BASE_BYTES + params * 24 + activations
}

/** "512M", "2G", "1.5GiB", "1073741824" → bytes; null when not a size. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text)
  if (!m) return null
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase())
  return Math.floor(Number(m[1]) * 1024 ** power)
}

/**
 * Memory this process may still use, in bytes: LRGATE_AVAILABLE_MEMORY when set (a size such
 * as "3G"; for tests and for machines shared with other work), else the smaller of the kernel's
 * MemAvailable and the room left under a cgroup v2 limit (memory.max − memory.current).
 */
export function availableMemoryBytes(): number {
  const forced = process.env.LRGATE_AVAILABLE_MEMORY
  if (forced !== undefined && forced !== '') {
    const bytes = parseBytes(forced)
    if (bytes === null || bytes <= 0) throw new InputError(`LRGATE_AVAILABLE_MEMORY="${forced}": give a size such as 4G, 512M or a number of bytes.`)
    return bytes
  }
  let available = freemem()
  const meminfo = readText('/proc/meminfo')
  const m = meminfo && /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)
  if (m) available = Number(m[1]) * 1024
  const max = readText('/sys/fs/cgroup/memory.max'), current = readText('/sys/fs/cgroup/memory.current')
  if (max && current && /^\d+$/.test(max.trim())) available = Math.min(available, Number(max.trim()) - Number(current.trim()))
  return Math.max(0, available)
}

function readText(path: string): string | null {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : null
  } catch {
    return null
  }
}

/** How many workers fit: ⌊0.8 · available / peak per worker⌋, at least 1. */
export function workersThatFit(config: GptConfig, batchSize: number, available = availableMemoryBytes()): number {
  return Math.max(1, Math.floor((0.8 * available) / workerPeakBytes(config, batchSize)))
}
