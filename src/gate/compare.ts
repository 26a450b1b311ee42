import {BUILTIN_EVALUATOR_NAMES, FAIL_RATE_METRIC} from '../../evaluators/names.js'
import type {Aggregation} from '../../evaluators/types.js'
import type {GateRule} from '../config/eval-schema.js'
import {configFieldWhere} from '../config/source.js'
import {InputError} from '../errors.js'
import {cohortMatcher} from '../datasets/cohort-glob.js'
import {versionMismatches} from '../eval/evaluator-version.js'
import {bitsPerByteSamples, meanSamples, perplexitySamples, ratioStatistic, type RatioSamples} from '../statistics/statistic.js'
import type {EvaluationRow, StoredRecord} from '../store/evaluations.js'
import {deriveSeed} from '../util/rng.js'
import {evaluationDigest} from './content-digest.js'
import {type PairedDelta, pairedDeltas, type SamplePair} from '../statistics/paired-bootstrap.js'
import {conditionalHolmAdjust, rowInterval, rowPValue, SELECTION_TAU} from './row-test.js'
import {rowMessage} from './row-message.js'
import {nllRuleCheck} from './nll-rules.js'
import {judge, ruleLabel, type RuleLimit, ruleLimit} from './rule.js'
import type {GateReport, GateRow} from './types.js'

export interface EvaluationData {
  row: EvaluationRow
  records: ReadonlyMap<string, StoredRecord>
}

/** A row whose delta is still to be bootstrapped. */
interface Job {
  slot: number
  cohort: string
  limit: RuleLimit
  pair: SamplePair
  records: number
}

export interface CompareOptions {
  /** 1 − the family-wise false-fail rate the check allows (0.95: at most 5% over all its rows). */
  confidence: number
  resamples: number
  seed: number
  /** Compare on the record ids both share even when the dataset hashes differ. */
  onSharedRecords: boolean
}

/**
 * Applies the gate rules to a candidate and a baseline evaluation: for every rule × matching cohort,
 * the delta on the records both share, its paired bootstrap standard error, a one-sided studentized
 * p-value against the limit, Holm-adjusted over all tested rows of the check; a row fails when its
 * adjusted p ≤ 1 − confidence, so P(the check fails) ≤ 1 − confidence whenever every true delta is
 * within its limit. Each row carries its interval (one-sided bounds at 1 − α/m), p, adjusted p and
 * whether it decided the verdict.
 * Refuses (InputError) different dataset hashes unless `onSharedRecords`, a metric scored by different
 * evaluator versions, unknown metrics, and a metric only one evaluation has. Does not touch the database.
 */
export function compareEvaluations(
  baseline: EvaluationData,
  candidate: EvaluationData,
  rules: readonly GateRule[],
  options: CompareOptions,
): Omit<GateReport, 'gateId'> {
  const who = (e: EvaluationData, role: string) => `${role} evaluation #${e.row.id} ("${e.row.label}")`
  if (baseline.row.datasetHash !== candidate.row.datasetHash && !options.onSharedRecords) {
    throw new InputError(
      `${who(candidate, 'the candidate')} used dataset ${candidate.row.datasetRef} (hash ${candidate.row.datasetHash.slice(0, 12)}) but ${who(baseline, 'the baseline')} used ${baseline.row.datasetRef} (hash ${baseline.row.datasetHash.slice(0, 12)}); evaluate both on the same dataset version, or pass --on-shared-records to compare the records they share.`,
    )
  }
  const mismatch = versionMismatches(candidate.row.evaluators, baseline.row.evaluators)[0]
  if (mismatch !== undefined) {
    throw new InputError(
      `metric "${mismatch.metric}": ${who(candidate, 'the candidate')} was scored by evaluator version ${mismatch.a} but ${who(baseline, 'the baseline')} by version ${mismatch.b}; their scores mean different things. Score both with the same lrgate (re-run "lrgate eval" for the older one) before gating.`,
    )
  }
  const shared = [...candidate.records.values()]
    .filter((r) => baseline.records.get(r.id)?.cohort === r.cohort)
    .map((r) => r.id)
    .sort()
  if (shared.length === 0) throw new InputError(`${who(candidate, 'the candidate')} and ${who(baseline, 'the baseline')} share no record ids; they cannot be compared.`)
  const cohorts = [...new Set(shared.map((id) => candidate.records.get(id)!.cohort))].sort()
  const aggregation = aggregationsOf(baseline, candidate)

  // Rows in rule order; rows to compute are filled in after one bootstrap per cohort.
  const results: GateRow[] = []
  const jobs: Job[] = []
  for (const [ruleIndex, rule] of rules.entries()) {
    const label = ruleLabel(rule)
    if (rule.metric !== FAIL_RATE_METRIC && !aggregation.has(rule.metric) && !(BUILTIN_EVALUATOR_NAMES as readonly string[]).includes(rule.metric)) {
      const have = [...aggregation.keys(), FAIL_RATE_METRIC].join(', ')
      const where = configFieldWhere(rule, 'metric')
      throw new InputError(
        where === null
          ? `gate.rules[${ruleIndex}] ("${label}"): unknown metric "${rule.metric}"; these evaluations have ${have}.`
          : `${where} unknown metric "${rule.metric}" (rule "${label}"); these evaluations have ${have}; fix the config file.`,
      )
    }
    const glob = rule.cohorts ?? '*'
    const matching = cohorts.filter(cohortMatcher(glob))
    const unavailable = nllRuleCheck(rule.metric, aggregation.get(rule.metric), baseline.row, candidate.row)
    const limit = ruleLimit(rule)
    const relative = rule.relative === true
    const base = {rule: label, ruleIndex, metric: rule.metric, limitKind: limit.kind, limitSide: limit.side, relative, limit: limit.bound}
    const skipped = (cohort: string, message: string): GateRow => ({
      ...base, cohort, baseline: null, candidate: null, delta: null, ciLow: null, ciHigh: null,
      status: 'skipped', message, records: 0, inconclusive: false, recordsNeeded: null, pValue: null, adjustedP: null, decided: false,
    })
    if (matching.length === 0) {
      results.push(skipped(glob, `no cohort matches "${glob}" (cohorts: ${cohorts.join(', ')})`))
      continue
    }
    if (unavailable !== undefined) {
      for (const cohort of matching) results.push(skipped(cohort, unavailable))
      continue
    }
    for (const cohort of matching) {
      const ids = shared.filter((id) => candidate.records.get(id)!.cohort === cohort)
      const inBase = has(baseline, ids, rule.metric)
      const inCand = has(candidate, ids, rule.metric)
      if (!inBase && !inCand) {
        const what = rule.metric === FAIL_RATE_METRIC ? 'a thresholded evaluator (so no fail rate)' : rule.metric
        results.push(skipped(cohort, `neither evaluation has ${what} for this cohort`))
        continue
      }
      if (inBase !== inCand) {
        const [yes, no] = inCand ? [who(candidate, 'the candidate'), who(baseline, 'the baseline')] : [who(baseline, 'the baseline'), who(candidate, 'the candidate')]
        throw new InputError(
          `metric "${rule.metric}" on cohort "${cohort}": ${yes} has it but ${no} does not; evaluate both with the same evaluators and data (e.g. nll and tokens in both outputs files).`,
        )
      }
      const paired = rule.metric === FAIL_RATE_METRIC ? ids : ids.filter((id) => baseline.records.get(id)!.scores.has(rule.metric) && candidate.records.get(id)!.scores.has(rule.metric))
      if (paired.length === 0) {
        throw new InputError(`metric "${rule.metric}" on cohort "${cohort}": no record has it in both evaluations; they cannot be compared.`)
      }
      const kind = aggregation.get(rule.metric) ?? 'mean'
      const pair = {baseline: samplesOf(baseline, paired, rule.metric, kind), candidate: samplesOf(candidate, paired, rule.metric, kind), relative}
      if (relative && ratioStatistic(pair.baseline) === 0) {
        throw new InputError(`gate.rules[${ruleIndex}] ("${label}") on cohort "${cohort}": the baseline ${rule.metric} is 0, so a relative limit is undefined; use an absolute limit.`)
      }
      jobs.push({slot: results.length, cohort, limit, pair, records: paired.length})
      results.push({...skipped(cohort, ''), records: paired.length})
    }
  }

  // One bootstrap per cohort and record count: every row of it reads the same seeded draws.
  const groups = new Map<string, Job[]>()
  for (const job of jobs) {
    const key = `${job.cohort}\u0000${job.records}`
    groups.set(key, [...(groups.get(key) ?? []), job])
  }
  const estimates = new Map<Job, PairedDelta>()
  // The draws depend on the gate seed and what the two evaluations scored, never on row ids: the
  // same pair gives the same interval whichever command (check, sweep, merge) gates it.
  const pairKey = jobs.length === 0 ? '' : `${evaluationDigest(baseline.records)}:${evaluationDigest(candidate.records)}`
  for (const group of groups.values()) {
    const deltas = pairedDeltas(group.map((job) => job.pair), {...options, seed: deriveSeed(options.seed, `gate:${pairKey}:${group[0].cohort}`)})
    for (const [i, job] of group.entries()) estimates.set(job, deltas[i])
  }
  // Family-wise: one-sided p per row against its own limit, conditional Holm over every tested row of this check.
  const alpha = 1 - options.confidence
  const pValues = jobs.map((job) => rowPValue(job.limit, estimates.get(job)!))
  const {adjusted, selected} = conditionalHolmAdjust(pValues, SELECTION_TAU)
  const tested = pValues.filter((p) => p !== null).length
  for (const [k, job] of jobs.entries()) {
    const d = estimates.get(job)!
    const row = results[job.slot]
    // Each end at level 1 − τα/m′, the procedure's first step: an interval wholly beyond its limit always fails.
    const [ciLow, ciHigh] = rowInterval(d, alpha * SELECTION_TAU, Math.max(1, selected))
    const j = judge(job.limit, {delta: d.delta, ciLow, ciHigh, records: job.records, adjustedP: adjusted[k]}, alpha)
    results[job.slot] = {
      ...row, baseline: d.baseline, candidate: d.candidate, delta: d.delta, ciLow, ciHigh,
      status: j.status, inconclusive: j.inconclusive, recordsNeeded: j.recordsNeeded ?? null,
      pValue: pValues[k], adjustedP: adjusted[k], decided: j.status === 'fail',
      message: rowMessage({metric: row.metric, relative: row.relative, limit: job.limit, records: job.records, confidence: options.confidence, tested, selected}, {...d, ciLow, ciHigh, adjustedP: adjusted[k]}, j),
    }
  }
  return {
    verdict: results.some((r) => r.status === 'fail') ? 'fail' : 'pass',
    candidate: {id: candidate.row.id, label: candidate.row.label},
    baseline: {id: baseline.row.id, label: baseline.row.label},
    datasetHash: {candidate: candidate.row.datasetHash, baseline: baseline.row.datasetHash},
    sharedRecords: shared.length,
    confidence: options.confidence,
    resamples: options.resamples,
    seed: options.seed,
    results,
  }
}

/** metric → aggregation, from both evaluations' evaluator lists; a conflict is an InputError. */
function aggregationsOf(baseline: EvaluationData, candidate: EvaluationData): Map<string, Aggregation> {
  const out = new Map<string, Aggregation>()
  for (const e of [...baseline.row.evaluators, ...candidate.row.evaluators]) {
    const seen = out.get(e.metric)
    if (seen !== undefined && seen !== e.aggregation) {
      throw new InputError(`metric "${e.metric}" is aggregated as ${seen} in one evaluation and ${e.aggregation} in the other; they cannot be compared.`)
    }
    out.set(e.metric, e.aggregation)
  }
  return out
}

/** Whether an evaluation has the metric on any of these records (failRate: any thresholded score). */
function has(e: EvaluationData, ids: readonly string[], metric: string): boolean {
  if (metric === FAIL_RATE_METRIC) return ids.some((id) => [...e.records.get(id)!.scores.values()].some((s) => s.passed !== null))
  return ids.some((id) => e.records.get(id)!.scores.has(metric))
}

function samplesOf(e: EvaluationData, ids: readonly string[], metric: string, kind: Aggregation): RatioSamples {
  const records = ids.map((id) => e.records.get(id)!)
  if (metric === FAIL_RATE_METRIC) return meanSamples(records.map((r) => (r.failed ? 1 : 0)))
  if (kind === 'perplexity') return perplexitySamples(records.map((r) => r.nll ?? 0), records.map((r) => r.tokens ?? 0))
  if (kind === 'bitsPerByte') return bitsPerByteSamples(records.map((r) => r.nll ?? 0), records.map((r) => r.bytes ?? 0))
  return meanSamples(records.map((r) => r.scores.get(metric)!.value))
}
