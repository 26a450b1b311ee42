/** The layer rule over an import graph: which edges point from a lower layer to a higher one. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {ImportEdge} from './import-graph.js'

/** Layers lowest first, each a list of peer names, read from docs/architecture.md's `layers` block. */
export function readLayers(root: string): string[][] {
  const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8')
  const block = /```layers\n([\s\S]*?)```/.exec(doc)
  if (block === null) throw new Error('docs/architecture.md has no ```layers block')
  return block[1].trim().split('\n').map((line) => line.split(',').map((s) => s.trim()).filter((s) => s !== ''))
}

/** The layer name of a repo-relative file: src/<folder>/…, src/<file>.ts, or evaluators/…; null outside them. */
export function layerName(file: string): string | null {
  if (file.startsWith('evaluators/')) return 'evaluators'
  const folder = /^src\/([^/]+)\//.exec(file)
  if (folder !== null) return folder[1]
  const top = /^src\/([^/]+)\.ts$/.exec(file)
  return top === null ? null : top[1]
}

export interface Violation {
  edge: ImportEdge
  from: string
  to: string
  why: string
}

/**
 * Edges that break the order: to a higher layer, to a peer of the same rank, or from/to a folder the
 * order does not list (a new folder must be placed in docs/architecture.md first).
 */
export function layerViolations(edges: readonly ImportEdge[], layers: readonly (readonly string[])[]): Violation[] {
  const rank = new Map<string, number>()
  layers.forEach((peers, i) => peers.forEach((name) => rank.set(name, i)))
  const out: Violation[] = []
  for (const edge of edges) {
    const from = layerName(edge.from)
    const to = layerName(edge.to)
    if (from === null || to === null || from === to) continue
    const a = rank.get(from)
    const b = rank.get(to)
    if (a === undefined || b === undefined) out.push({edge, from, to, why: `${a === undefined ? from : to} is not in the layer order`})
    else if (b > a) out.push({edge, from, to, why: `${from} (layer ${a}) imports ${to} (layer ${b}), a higher layer`})
    else if (b === a) out.push({edge, from, to, why: `${from} and ${to} are peers (layer ${a})`})
  }
  return out
}

export function describeViolation(v: Violation): string {
  return `${v.edge.from}:${v.edge.line} (${v.edge.kind} import of ${v.edge.to}): ${v.why}`
}
