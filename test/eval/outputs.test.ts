import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {loadDataset} from '../../src/datasets/load.js'
import {matchOutputs} from '../../src/eval/match-outputs.js'
import {parseOutputsText} from '../../src/eval/outputs-file.js'
import {writeSyntheticDataset} from '../fixtures/eval/synthetic.js'
import {messageOf} from '../fixtures/input-error.js'


describe('outputs file', () => {
  it('parses lines, skips blank ones and treats null as absent', () => {
    const parsed = parseOutputsText('{"id":"a","output":"x","nll":3.5,"tokens":2}\n\n{"id":"b","output":null,"nll":null,"tokens":null}\n', 'out.jsonl')
    assert.deepEqual(parsed, [{id: 'a', output: 'x', nll: 3.5, tokens: 2}, {id: 'b'}])
  })

  it('names file, line and field of a bad line', () => {
    assert.match(messageOf(() => parseOutputsText('{"id":"a","output":"x"}\n{"id":"b","output":7}\n', 'out.jsonl')), /^out\.jsonl:2: field "output": /)
    assert.match(messageOf(() => parseOutputsText('{"id":"a","outptu":"x"}\n', 'out.jsonl')), /^out\.jsonl:1: field "outptu": unknown key/)
    assert.match(messageOf(() => parseOutputsText('{"id":"a","nll":2}\n', 'o.jsonl')), /^o\.jsonl:1: field "tokens": give "nll" and "tokens" together/)
    assert.match(messageOf(() => parseOutputsText('{"id":"a","nll":2,"tokens":0}\n', 'o.jsonl')), /^o\.jsonl:1: field "tokens": /)
    assert.match(messageOf(() => parseOutputsText('{"id":"a"}\n{"id": "b",\n', 'o.jsonl')), /^o\.jsonl:2: not valid JSON/)
    assert.match(messageOf(() => parseOutputsText('{"output":"x"}\n', 'o.jsonl')), /^o\.jsonl:1: field "id": /)
  })

  it('refuses an id given twice, naming both lines', () => {
    assert.match(messageOf(() => parseOutputsText('{"id":"a"}\n{"id":"b"}\n{"id":"a"}\n', 'o.jsonl')), /^o\.jsonl:3: field "id": "a" already appears on line 1/)
  })

  it('refuses ids unknown to the dataset and input records without output, listing the first few', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lrgate-outputs-'))
    const {dir, records} = writeSyntheticDataset(root, {perCohort: 10, textCohort: true})
    const dataset = await loadDataset(dir)
    const all = records.map((r) => ({id: r.id, output: 'x'}))
    const extra = [...all, ...Array.from({length: 7}, (_, i) => ({id: `ghost-${i}`}))]
    const unknown = messageOf(() => matchOutputs(dataset, extra, 'out.jsonl'))
    assert.match(unknown, /^out\.jsonl: 7 output id\(s\) are not in dataset synthetic-eval@1: "ghost-0", "ghost-1", "ghost-2", "ghost-3", "ghost-4" and 2 more/)
    // read from a file: the line of the first unknown id, and how many others
    const text = [...all, {id: 'ghost-0'}, {id: 'ghost-1'}, {id: 'ghost-2'}].map((o) => JSON.stringify(o)).join('\n')
    assert.equal(
      messageOf(() => matchOutputs(dataset, parseOutputsText(text, 'out.jsonl'), 'out.jsonl')),
      `out.jsonl:${all.length + 1}: field "id": "ghost-0" is not a record of dataset synthetic-eval@1 (nor are 2 other ids: "ghost-1", "ghost-2"); check that the outputs were made for this dataset version.`,
    )
    const missing = messageOf(() => matchOutputs(dataset, all.filter((o) => o.id !== 'animal-003'), 'out.jsonl'))
    assert.match(missing, /1 record\(s\) of dataset synthetic-eval@1 have no output: "animal-003"/)
    // perplexity-only text records may be left out
    const withoutText = all.filter((o) => !o.id.startsWith('news-'))
    assert.equal(matchOutputs(dataset, withoutText, 'out.jsonl').size, 30)
  })
})
