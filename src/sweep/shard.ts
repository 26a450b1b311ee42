import {createHash} from 'node:crypto'
import {relative} from 'node:path'

import type {Dataset} from '../datasets/types.js'
import {InputError} from '../errors.js'
import type {GridCandidate} from './grid.js'
import type {SweepPlan} from './plan.js'

/** One shard of a sweep: this process runs the configurations whose index mod `count` is `index`. */
export interface Shard {
  index: number
  count: number
}

/** Where `--shard auto/N` reads its index, first set wins (Kubernetes Indexed Job, Slurm job array, anything else). */
export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID', 'LRGATE_SHARD_INDEX'] as const

/**
 * Parses `--shard I/N` or `--shard auto/N` (the index from JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID
 * or LRGATE_SHARD_INDEX, in that order). N ≥ 1, 0 ≤ I < N. InputError naming the flag otherwise.
 *
 * @example parseShard('1/4', {}) // {index: 1, count: 4}
 */
export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const match = /^\s*(\d+|auto)\s*\/\s*(\d+)\s*$/.exec(text)
  if (match === null) throw new InputError(`--shard "${text}": give I/N (e.g. 0/4) or auto/N (the index from ${SHARD_INDEX_VARIABLES.join(', ')}).`)
  const count = Number(match[2])
  if (count < 1) throw new InputError(`--shard "${text}": N must be at least 1.`)
  let index: number
  let from = '--shard'
  if (match[1] === 'auto') {
    const variable = SHARD_INDEX_VARIABLES.find((v) => (env[v] ?? '').trim() !== '')
    if (variable === undefined) throw new InputError(`--shard auto/${count}: none of ${SHARD_INDEX_VARIABLES.join(', ')} is set; run it as an array task or give the index (--shard I/${count}).`)
    const value = env[variable]!.trim()
    if (!/^\d+$/.test(value)) throw new InputError(`--shard auto/${count}: ${variable}="${value}" is not a shard index (0 … ${count - 1}).`)
    index = Number(value)
    from = variable
  } else {
    index = Number(match[1])
  }
  if (index >= count) throw new InputError(`${from === '--shard' ? `--shard "${text}"` : `--shard auto/${count}: ${from}=${index}`}: the index must be below N (0 … ${count - 1}).`)
  return {index, count}
}

/**
 * The candidates of the expanded plan that belong to a shard: configurations (a trained candidate
 * with its other seeds and its interpolations) are numbered in plan order, and the shard takes those
 * whose number mod N is I. Parent indexes are renumbered to the kept list.
 */
export function shardCandidates(all: readonly GridCandidate[], shard: Shard | null | undefined): GridCandidate[] {
  if (shard === null || shard === undefined) return [...all]
  const configuration: number[] = []
  let next = -1
  for (const c of all) {
    if (c.parentIndex !== null) configuration.push(configuration[c.parentIndex])
    else configuration.push(c.seedIndex === 0 ? ++next : next)
  }
  const kept = all.map((_, i) => i).filter((i) => configuration[i] % shard.count === shard.index)
  const position = new Map(kept.map((i, k) => [i, k]))
  return kept.map((i) => ({...all[i], parentIndex: all[i].parentIndex === null ? null : position.get(all[i].parentIndex!)!}))
}

/**
 * A sweep plan's identity, the same on every machine that runs a shard of it: sha256 over the plan
 * without its name, shard, parallelism, backend and file locations, with the datasets as their
 * content hashes and the base model as its path relative to the working directory. Shards with one
 * name and one plan hash are one sweep (lrgate merge).
 */
export function planHash(plan: SweepPlan & {steps: number}, datasets: {train: Dataset; eval: Dataset; replay: Dataset | null}): string {
  const {name: _n, shard: _s, parallel: _p, backend: _b, cwd: _c, configFile: _f, scheduleNames: _sn, train: _t, eval: _e, replayData: _r, baseModel, trainer, ...rest} = plan
  const identity = {
    ...rest,
    baseModel: relative(plan.cwd, baseModel) || '.',
    trainer: trainer ? {...trainer} : null,
    train: datasets.train.hash,
    eval: datasets.eval.hash,
    replay: datasets.replay?.hash ?? null,
  }
  return createHash('sha256').update(canonical(identity)).digest('hex')
}

/** JSON with object keys sorted, so the hash does not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}
