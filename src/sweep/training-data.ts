import type {Dataset, DatasetRecord} from '../datasets/types.js'
import {deriveSeed, seededRng} from '../util/rng.js'

/**
 * A fine-tune dataset's training and validation records: cohorts named `valid:*` are the
 * validation split (the shipped food-train@1 has `valid:food`); without one, a seeded 5% is held out.
 */
export function splitTraining(dataset: Dataset, seed: number): {train: DatasetRecord[]; valid: DatasetRecord[]} {
  const valid = dataset.records.filter((r) => r.cohort.startsWith('valid:'))
  if (valid.length > 0) return {train: dataset.records.filter((r) => !r.cohort.startsWith('valid:')), valid}
  const rng = seededRng(deriveSeed(seed, 'valid-split'))
  const train: DatasetRecord[] = [], held: DatasetRecord[] = []
  for (const r of dataset.records) (rng.next() < 0.05 ? held : train).push(r)
  return held.length > 0 || train.length < 2 ? {train, valid: held} : {train: train.slice(1), valid: train.slice(0, 1)}
}
