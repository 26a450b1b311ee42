/**
 * `npm run bench:verdicts` — how often the gate fails for nothing, and how often it catches a real
 * drop, with the default rules (issue 12). Three numbers, every one over seeded simulations:
 *
 * 1. A/A false-fail rate over SEEDS seeds: two evaluations of equally good noisy outputs (each output
 *    drops a random quarter of its reference's words; independent NLL noise) on 3 target + 3 OOD
 *    cohorts of 100 records; with its one-sided 95% upper bound (Clopper–Pearson).
 * 2. At-the-limit false-fail rate: per-record scores whose true deltas sit exactly at every rule's
 *    limit at once (relevance −0.02 OOD / −0.01 target, perplexity +5%, fail rate +2 points): the
 *    worst case the family-wise guarantee (≤ 1 − confidence) covers.
 * 3. Power: one OOD cohort's relevance drops by 2–15 points (the others unchanged), the gate's fail
 *    rate next to the ideal single test — a one-sided paired t-test of that cohort alone against the
 *    same margin (maxDrop 0.02) at the same α — on the same data.
 *
 *   nice -n 10 npm run bench:verdicts
 *   nice -n 10 npm run bench:verdicts -- --seeds 200 --edge-seeds 200 --power-seeds 100 --resamples 500   # quicker
 */
import {rougeL} from '../evaluators/relevance.js'
import {DEFAULT_CONFIG} from '../src/config/defaults.js'
import type {EvaluatorDescriptor} from '../src/eval/configured-evaluator.js'
import {compareEvaluations, type EvaluationData} from '../src/gate/compare.js'
import {tCdf} from '../src/gate/student-t.js'
import type {StoredRecord} from '../src/store/evaluations.js'
import {type Rng, seededRng} from '../src/util/rng.js'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const SEEDS = flag('seeds', 1000)
const POWER_SEEDS = flag('power-seeds', 200)
const EDGE_SEEDS = flag('edge-seeds', 1000)
const RESAMPLES = flag('resamples', 500)
const PER_COHORT = 100
const COHORTS = ['target:a', 'target:b', 'target:c', 'ood:x', 'ood:y', 'ood:z']
const RULES = DEFAULT_CONFIG.gate.rules
const CONFIDENCE = DEFAULT_CONFIG.gate.confidence
const ALPHA = 1 - CONFIDENCE
const VOCAB = Array.from({length: 400}, (_, i) => `w${i}`)

const EVALUATORS: EvaluatorDescriptor[] = [
  {metric: 'relevance', name: 'relevance', source: 'builtin', direction: 'higher', threshold: 0.1, aggregation: 'mean', version: '2'},
  {metric: 'perplexity', name: 'perplexity', source: 'builtin', direction: 'lower', aggregation: 'perplexity', version: '1'},
]

interface Rec {
  id: string
  cohort: string
  relevance: number
  failed: boolean
  nll: number
  tokens: number
}

function evaluation(id: number, records: readonly Rec[]): EvaluationData {
  const map = new Map<string, StoredRecord>()
  for (const r of records) {
    map.set(r.id, {id: r.id, cohort: r.cohort, nll: r.nll, tokens: r.tokens, failed: r.failed, scores: new Map([
      ['relevance', {value: r.relevance, passed: !r.failed}],
      ['perplexity', {value: Math.exp(r.nll / r.tokens), passed: null}],
    ])})
  }
  return {
    row: {id, label: `e${id}`, datasetId: 1, datasetHash: 'h', datasetRef: 'sim@1', source: 'outputs', modelDir: null, outputsFile: null, runId: null, candidateId: null, evaluators: EVALUATORS, seed: 1, backend: null, createdAt: ''},
    records: map,
  }
}

/** The output: the reference with `drop` of its words removed at random positions. */
function dropWords(rng: Rng, words: string[], drop: number): string {
  const keep = words.map((w, i) => ({w, i}))
  for (let k = 0; k < drop && keep.length > 1; k++) keep.splice(rng.int(keep.length), 1)
  return keep.map((x) => x.w).join(' ')
}

/** Drop fraction f′ whose expected ROUGE-L F1 2(1−f)/(2−f) is `delta` below that of a quarter dropped. */
function dropFractionFor(delta: number): number {
  const r = (2 * 0.75) / 1.75 - delta
  return (2 - 2 * r) / (2 - r)
}

/** Two text-level evaluations of equally good models; `regress` drops more words in ood:x. */
function textPair(seed: number, regress = 0): {base: Rec[]; cand: Rec[]} {
  const rng = seededRng(seed)
  const base: Rec[] = []
  const cand: Rec[] = []
  const fPrime = dropFractionFor(regress)
  for (const cohort of COHORTS) {
    for (let i = 0; i < PER_COHORT; i++) {
      const length = 8 + rng.int(9)
      const words = Array.from({length}, () => VOCAB[rng.int(VOCAB.length)])
      const reference = words.join(' ')
      const tokens = 10 + rng.int(30)
      const side = (fraction: number): Rec => {
        const exact = fraction * length
        const drop = Math.floor(exact) + (rng.next() < exact - Math.floor(exact) ? 1 : 0)
        const relevance = rougeL(dropWords(rng, words, drop), reference)
        return {id: `${cohort}-${i}`, cohort, relevance, failed: relevance < 0.1, nll: tokens * (2 + 0.3 * rng.normal()), tokens}
      }
      base.push(side(0.25))
      cand.push(side(regress > 0 && cohort === 'ood:x' ? fPrime : 0.25))
    }
  }
  return {base, cand}
}

/** Score-level pair whose true deltas sit exactly at every default rule's limit. */
function atLimitPair(seed: number): {base: Rec[]; cand: Rec[]} {
  const rng = seededRng(seed)
  const base: Rec[] = []
  const cand: Rec[] = []
  for (const cohort of COHORTS) {
    const drop = cohort.startsWith('ood:') ? 0.02 : 0.01
    for (let i = 0; i < PER_COHORT; i++) {
      const b = rng.next() < 0.3 ? 0 : rng.next() ** 3
      const tokens = 10 + rng.int(30)
      const nll = tokens * (2 + 0.3 * rng.normal())
      const id = `${cohort}-${i}`
      base.push({id, cohort, relevance: b, failed: rng.next() < 0.1, nll, tokens})
      // per-token log-perplexity + ln 1.05 on average: exp(Σnll/Σtokens) rises by 5% in expectation
      cand.push({id, cohort, relevance: b - drop + 0.1 * rng.normal(), failed: rng.next() < 0.12, nll: nll + tokens * (Math.log(1.05) + 0.05 * rng.normal()), tokens})
    }
  }
  return {base, cand}
}

function gateFails(pair: {base: Rec[]; cand: Rec[]}, seed: number): boolean {
  return compareEvaluations(evaluation(1, pair.base), evaluation(2, pair.cand), RULES, {confidence: CONFIDENCE, resamples: RESAMPLES, seed, onSharedRecords: false}).verdict === 'fail'
}

/** One-sided paired t-test of ood:x relevance against maxDrop 0.02 at α: the ideal single test. */
function idealRejects(pair: {base: Rec[]; cand: Rec[]}): boolean {
  const d = pair.cand.filter((r) => r.cohort === 'ood:x').map((r, i) => r.relevance - pair.base.filter((b) => b.cohort === 'ood:x')[i].relevance)
  const n = d.length
  const mean = d.reduce((a, b) => a + b, 0) / n
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1))
  return tCdf((mean + 0.02) / (sd / Math.sqrt(n)), n - 1) <= ALPHA
}

/** One-sided (1 − 0.05) Clopper–Pearson upper bound of a binomial rate: bisection on the beta tail. */
function upperBound(failures: number, trials: number): number {
  if (failures === trials) return 1
  // P(X ≤ failures | p) = 0.05, by bisection on the binomial CDF (exact sum; trials ≤ a few thousand)
  const cdf = (p: number) => {
    let term = Math.pow(1 - p, trials)
    let sum = term
    for (let k = 1; k <= failures; k++) {
      term *= ((trials - k + 1) / k) * (p / (1 - p))
      sum += term
    }
    return sum
  }
  let lo = failures / trials, hi = 1
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2
    if (cdf(mid) > 0.05) lo = mid
    else hi = mid
  }
  return hi
}

const started = performance.now()
const pct = (x: number) => `${(100 * x).toFixed(1)}%`
console.log(`default rules, confidence ${CONFIDENCE} (family-wise α = ${ALPHA.toFixed(2)}), ${RESAMPLES} resamples, ${COHORTS.length} cohorts × ${PER_COHORT} records (${COHORTS.join(', ')})\n`)

let aa = 0
for (let s = 0; s < SEEDS; s++) if (gateFails(textPair(s), s)) aa++
console.log(`A/A (equally good noisy outputs): ${aa} false fails in ${SEEDS} seeds = ${pct(aa / SEEDS)}; one-sided 95% upper bound ${pct(upperBound(aa, SEEDS))} (goal ≤ 6%)`)

let edge = 0
for (let s = 0; s < EDGE_SEEDS; s++) if (gateFails(atLimitPair(100_000 + s), s)) edge++
console.log(`every true delta exactly at its limit: ${edge} fails in ${EDGE_SEEDS} seeds = ${pct(edge / EDGE_SEEDS)}; one-sided 95% upper bound ${pct(upperBound(edge, EDGE_SEEDS))} (guarantee ≤ ${pct(ALPHA)})\n`)

console.log(`power: ood:x relevance drops by δ (${POWER_SEEDS} seeds each); ideal = one-sided paired t-test of ood:x alone, margin 0.02, α ${ALPHA.toFixed(2)}`)
console.log('| δ | gate fails | ideal single test | gap |')
console.log('|--:|--:|--:|--:|')
const DELTAS = args.includes('--deltas') ? args[args.indexOf('--deltas') + 1].split(',').map(Number) : [0.02, 0.025, 0.03, 0.035, 0.04, 0.05, 0.07, 0.1, 0.15]
for (const delta of DELTAS) {
  let gate = 0, ideal = 0
  for (let s = 0; s < POWER_SEEDS; s++) {
    const pair = textPair(200_000 + s, delta)
    if (gateFails(pair, s)) gate++
    if (idealRejects(pair)) ideal++
  }
  console.log(`| ${delta} | ${pct(gate / POWER_SEEDS)} | ${pct(ideal / POWER_SEEDS)} | ${((100 * (ideal - gate)) / POWER_SEEDS).toFixed(1)} pt |`)
}
console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s`)
