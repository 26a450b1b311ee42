import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {Score} from '../../evaluators/types.js'
import {DEFAULT_CONFIG} from '../../src/config/defaults.js'
import {loadDataset} from '../../src/datasets/load.js'
import type {DatasetRecord} from '../../src/datasets/types.js'
import {loadEvaluators} from '../../src/eval/load-evaluators.js'
import {recordText} from '../../src/model/record-text.js'

/** example-eval@2's records scored by the default evaluators, as `lrgate eval` configures them. */
describe("example-eval@2's tasks under the default evaluators", async () => {
  const evalSet = await loadDataset('example-eval@2')
  const evaluators = await loadEvaluators({specs: DEFAULT_CONFIG.eval.evaluators, configFile: null})
  const score = async (record: DatasetRecord, output: string): Promise<Record<string, number>> => {
    const out: Record<string, number> = {}
    for (const e of evaluators.filter((x) => x.appliesToCohort(record.cohort) && x.descriptor.aggregation === 'mean')) {
      const s = await e.evaluator.score({...record, output})
      out[e.descriptor.metric] = typeof s === 'number' ? s : (s as Score).value
    }
    return out
  }
  const grounded = evalSet.records.filter((r) => r.cohort.startsWith('ood:grounded-'))
  const json = evalSet.records.filter((r) => r.cohort === 'ood:json')

  it('the model reads the context before the question', () => {
    const r = grounded[0]
    assert.equal(recordText(r).prompt, `${r.context}\n${r.input}`)
    assert.equal(recordText(evalSet.records.find((x) => x.cohort === 'target:food')!).prompt.startsWith('Q: what is'), true)
  })

  it('a grounded answer that copies the right gloss: relevance >= 0.9, hallucination 0; a distractor gloss scores low', async () => {
    for (const r of grounded.slice(0, 40)) {
      const right = await score(r, r.reference!)
      assert.ok(right.relevance >= 0.9, `${r.id}: relevance ${right.relevance}`)
      assert.equal(right.hallucination, 0, r.id)
      assert.equal(right['json-valid'], undefined, 'json-valid applies to ood:json only')
      const line = r.context!.split('\n').find((l) => !l.endsWith(`: ${r.reference}`))!
      const wrong = await score(r, line.slice(line.indexOf(': ') + 2))
      assert.ok(wrong.relevance < right.relevance, r.id)
    }
    // A made-up answer is unsupported by input, context and reference.
    const made = await score(grounded[0], 'a large bird of prey with hooked beak')
    assert.ok(made.hallucination >= 0.5, `hallucination ${made.hallucination}`)
  })

  it('a JSON answer is graded by its schema and by exact field values', async () => {
    const r = json[0]
    const {word, pos, category} = JSON.parse(r.reference!) as Record<string, string>
    assert.deepEqual(await score(r, r.reference!), {relevance: 1, hallucination: 0, 'json-valid': 1, 'exact-match': 1})
    // valid JSON that breaks the schema: pos outside the enum, an extra key, a missing key
    for (const bad of [{word, pos: 'adjective', category}, {word, pos, category, gloss: 'x'}, {word, pos}]) {
      const s = await score(r, JSON.stringify(bad))
      assert.equal(s['json-valid'], 0, JSON.stringify(bad))
      assert.equal(s['exact-match'], 0)
    }
    // schema-valid with a wrong field value: valid, not exact
    const wrong = await score(r, JSON.stringify({word, pos, category: category === 'animal' ? 'person' : 'animal'}))
    assert.deepEqual([wrong['json-valid'], wrong['exact-match']], [1, 0])
    assert.equal((await score(r, '{"word": "')).valueOf()['json-valid'], 0)
  })
})
