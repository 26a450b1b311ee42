/**
 * The base-model measures of the shipped example (README, "The base model"): per cohort of an eval
 * set, from greedy generations — relevance (ROUGE-L F1), right-gloss selection (the output is closer
 * to the asked word's gloss than to every distractor's), hallucination (the built-in proxy), JSON
 * valid (against the cohort schema) and JSON field values exact — and per-character perplexity.
 */
import {Ajv} from 'ajv'

import {unsupportedRate} from '../evaluators/hallucination.js'
import {rougeL} from '../evaluators/relevance.js'
import type {Dataset, DatasetRecord} from '../src/datasets/types.js'
import {generate, type GenerateOptions} from '../src/model/generate.js'
import type {Gpt} from '../src/model/gpt.js'
import {recordText} from '../src/model/record-text.js'
import {scoreRecords} from '../src/model/score.js'
import type {CharTokenizer} from '../src/model/tokenizer.js'
import {EXAMPLE_JSON_SCHEMA as JSON_ANSWER_SCHEMA} from '../src/config/defaults.js'

export interface CohortMeasures {
  records: number
  perplexity: number
  relevance: number | null
  /** grounded records: share whose output is nearer (ROUGE-L) the right gloss than every distractor's */
  rightGloss: number | null
  hallucination: number | null
  /** JSON records: share that parse and satisfy the schema */
  jsonValid: number | null
  /** JSON records: share whose word, pos and category all equal the reference's */
  jsonExact: number | null
}

/** The glosses of a grounded record's context lines other than the right one. */
function distractorGlosses(r: DatasetRecord): string[] {
  return (r.context ?? '')
    .split('\n')
    .map((l) => l.slice(l.indexOf(': ') + 2))
    .filter((g) => g !== r.reference)
}

/** Measures `model` on `evalSet`; `generation` as the eval config gives it (greedy). */
export function measureExample(model: Gpt, tokenizer: CharTokenizer, evalSet: Dataset, generation: Omit<GenerateOptions, 'seed'>, records?: readonly DatasetRecord[]): {cohorts: Record<string, CohortMeasures>; outputs: Map<string, string>} {
  const all = records ?? evalSet.records
  const generative = all.filter((r) => recordText(r).generative)
  const texts = generate(model, tokenizer, generative.map((r) => recordText(r).prompt), {...generation, seed: 1})
  const outputs = new Map(generative.map((r, i) => [r.id, texts[i].trim()]))
  const scores = scoreRecords(model, tokenizer, all, 32)
  const validate = new Ajv({strict: false}).compile(JSON_ANSWER_SCHEMA)
  const cohorts: Record<string, CohortMeasures> = {}
  const mean = (xs: number[]) => (xs.length === 0 ? null : Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3)))
  for (const cohort of [...new Set(all.map((r) => r.cohort))]) {
    const rs = all.map((r, i) => ({r, s: scores[i]})).filter((x) => x.r.cohort === cohort)
    const nll = rs.reduce((a, x) => a + x.s.nll, 0), tokens = rs.reduce((a, x) => a + x.s.tokens, 0)
    const gen = rs.filter((x) => outputs.has(x.r.id)).map((x) => ({r: x.r, out: outputs.get(x.r.id)!}))
    const grounded = gen.filter((g) => g.r.meta?.task === 'grounded')
    const json = gen.filter((g) => g.r.meta?.task === 'json')
    const parsed = json.map((g) => {
      try {
        return JSON.parse(g.out) as unknown
      } catch {
        return undefined
      }
    })
    cohorts[cohort] = {
      records: rs.length,
      perplexity: Number(Math.exp(nll / tokens).toFixed(3)),
      relevance: mean(gen.map((g) => rougeL(g.out, g.r.reference!))),
      rightGloss: mean(grounded.map((g) => (distractorGlosses(g.r).every((d) => rougeL(g.out, g.r.reference!) > rougeL(g.out, d)) ? 1 : 0))),
      hallucination: mean(gen.map((g) => unsupportedRate({id: g.r.id, cohort, input: g.r.input, context: g.r.context, reference: g.r.reference, output: g.out}).value)),
      jsonValid: mean(parsed.map((p) => (p !== undefined && validate(p) ? 1 : 0))),
      jsonExact: mean(
        json.map((g, i) => {
          const want = JSON.parse(g.r.reference!) as Record<string, unknown>
          const got = parsed[i] as Record<string, unknown> | undefined
          return got !== undefined && got !== null && typeof got === 'object' && Object.keys(want).every((k) => got[k] === want[k]) ? 1 : 0
        }),
      ),
    }
  }
  return {cohorts, outputs}
}
