import type {Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import {inert} from '../util/inert.js'
import type {RecordOutput} from './model-outputs.js'
import {outputLine} from './outputs-file.js'

const SHOWN = 5

/**
 * Pairs outputs with the dataset's records by id. Ids the dataset does not know, and records that
 * need a generation (they have an `input`) but have no output line, are an InputError listing the
 * first few. Perplexity-only `text` records may be left out: they are then not scored.
 */
export function matchOutputs(dataset: Dataset, outputs: readonly RecordOutput[], source: string): Map<string, RecordOutput> {
  const ids = new Set(dataset.records.map((r) => r.id))
  const byId = new Map(outputs.map((o) => [o.id, o]))
  const strays = outputs.filter((o) => !ids.has(o.id))
  const unknown = strays.map((o) => o.id)
  const line = strays.length > 0 ? outputLine(strays[0]) : undefined
  if (line !== undefined) {
    const n = unknown.length - 1
    const others = n > 0 ? ` (nor ${n === 1 ? 'is 1 other id' : `are ${n} other ids`}: ${list(unknown.slice(1))})` : ''
    throw new InputError(
      `${source}:${line}: field "id": "${inert(unknown[0])}" is not a record of dataset ${dataset.ref}${others}; check that the outputs were made for this dataset version.`,
    )
  }
  if (unknown.length > 0) {
    throw new InputError(
      `${source}: ${unknown.length} output id(s) are not in dataset ${dataset.ref}: ${list(unknown)}; check that the outputs were made for this dataset version.`,
    )
  }
  const missing = dataset.records.filter((r) => r.input !== undefined && !byId.has(r.id)).map((r) => r.id)
  if (missing.length > 0) {
    throw new InputError(
      `${source}: ${missing.length} record(s) of dataset ${dataset.ref} have no output: ${list(missing)}; give every input record a line.`,
    )
  }
  return byId
}

function list(ids: readonly string[]): string {
  const shown = ids.slice(0, SHOWN).map((id) => `"${inert(id)}"`).join(', ')
  return ids.length > SHOWN ? `${shown} and ${ids.length - SHOWN} more` : shown
}
