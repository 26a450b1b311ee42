/**
 * Coverage of the gate's interval methods on small cohorts (issue 12): for n = 3, 5, 10, 20, 50, 100
 * records and three score shapes, draw 5,000 data sets, build each method's 95% interval of the mean
 * (a paired delta is the mean of per-record differences), and count how often it covers the true
 * mean. Methods: the percentile bootstrap the gate used before; the studentized interval
 * (mean ± t_{0.975, n−1} · bootstrap SE · √(n/(n−1))); and the gate's own interval, computed by the
 * gate's code (pairedDelta and rowInterval: Hall's skew-corrected studentized interval, skewness
 * from the jackknife). Also the one-sided miss rate on the low
 * side (what a false fail of an at-least limit needs; nominal 2.5%).
 *
 *   nice -n 10 npm run bench:coverage            # the table in docs/gate.md
 *   nice -n 10 npm run bench:coverage -- --sets 1000 --resamples 200   # quicker
 */
import {seededRng, type Rng} from '../src/util/rng.js'
import {rowInterval} from '../src/gate/row-test.js'
import {tQuantile} from '../src/gate/student-t.js'
import {pairedDelta} from '../src/statistics/paired-bootstrap.js'
import {meanSamples} from '../src/statistics/statistic.js'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const SETS = flag('sets', 5000)
const RESAMPLES = flag('resamples', 500)
const SIZES = [3, 5, 10, 20, 50, 100]

interface Shape {
  name: string
  mean: number
  draw: (rng: Rng) => number
}

const SHAPES: Shape[] = [
  // a failed-record indicator (fail rate), or a 0/1 evaluator (exact-match, json-valid)
  {name: 'Bernoulli(0.2)', mean: 0.2, draw: (rng) => (rng.next() < 0.2 ? 1 : 0)},
  // ROUGE-like: bounded in [0, 1], zero for 30% of records, the rest skewed low (U³)
  {name: 'zero-inflated U³ (ROUGE-like)', mean: 0.7 / 4, draw: (rng) => (rng.next() < 0.3 ? 0 : rng.next() ** 3)},
  // perplexity-like heavy right tail: exp(N(0, 1))
  {name: 'log-normal(0, 1)', mean: Math.exp(0.5), draw: (rng) => Math.exp(rng.normal())},
]

interface Cell {
  percentile: number
  studentized: number
  hall: number
  percentileLowMiss: number
  studentizedLowMiss: number
  hallLowMiss: number
}



function cell(shape: Shape, n: number, seed: number): Cell {
  const rng = seededRng(seed)
  const x = new Float64Array(n)
  const stats = new Float64Array(RESAMPLES)
  const t = tQuantile(0.975, n - 1)
  const zeros = meanSamples(new Array<number>(n).fill(0))
  let pc = 0, sc = 0, pl = 0, sl = 0, jc = 0, jl = 0
  for (let s = 0; s < SETS; s++) {
    let mean = 0
    for (let i = 0; i < n; i++) mean += x[i] = shape.draw(rng)
    mean /= n
    let bm = 0
    for (let b = 0; b < RESAMPLES; b++) {
      let sum = 0
      for (let i = 0; i < n; i++) sum += x[rng.int(n)]
      stats[b] = sum / n
      bm += stats[b]
    }
    bm /= RESAMPLES
    let ss = 0
    for (const v of stats) ss += (v - bm) ** 2
    const se = Math.sqrt(ss / (RESAMPLES - 1)) * Math.sqrt(n / (n - 1))
    // The gate's row: the delta of x against a zero baseline, its own seeded bootstrap, its interval.
    const row = pairedDelta(zeros, meanSamples(Array.from(x)), {seed: seed * 7919 + s, resamples: RESAMPLES, relative: false})
    const [glo, ghi] = rowInterval(row, 0.025, 1)
    if (glo <= shape.mean && shape.mean <= ghi) jc++
    if (ghi < shape.mean) jl++
    stats.sort()
    const lo = stats[Math.floor(0.025 * (RESAMPLES - 1))], hi = stats[Math.ceil(0.975 * (RESAMPLES - 1))]
    if (lo <= shape.mean && shape.mean <= hi) pc++
    if (hi < shape.mean) pl++
    const slo = mean - t * se, shi = mean + t * se
    if (slo <= shape.mean && shape.mean <= shi) sc++
    if (shi < shape.mean) sl++
  }
  return {percentile: pc / SETS, studentized: sc / SETS, hall: jc / SETS, percentileLowMiss: pl / SETS, studentizedLowMiss: sl / SETS, hallLowMiss: jl / SETS}
}

const started = performance.now()
console.log(`coverage of nominal 95% intervals of the mean: ${SETS} data sets per cell, ${RESAMPLES} bootstrap resamples each (seeded)\n`)
console.log('| scores | n | percentile bootstrap | studentized (t, bootstrap SE) | the gate (Hall, jackknife skew) | true mean above the interval: percentile | studentized | gate |')
console.log('|---|--:|--:|--:|--:|--:|--:|--:|')
for (const [k, shape] of SHAPES.entries()) {
  for (const n of SIZES) {
    const c = cell(shape, n, 1000 * k + n)
    const mark = (v: number) => `${v.toFixed(3)}${v < 0.94 ? ' ✗' : ''}`
    const miss = (v: number) => `${(100 * v).toFixed(1)}%`
    console.log(`| ${shape.name} | ${n} | ${mark(c.percentile)} | ${mark(c.studentized)} | ${mark(c.hall)} | ${miss(c.percentileLowMiss)} | ${miss(c.studentizedLowMiss)} | ${miss(c.hallLowMiss)} |`)
  }
}
console.log(`\n✗ = coverage below 0.94. ${((performance.now() - started) / 1000).toFixed(0)} s`)
