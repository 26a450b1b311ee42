import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {contains} from '../../evaluators/contains.js'
import {exactMatch} from '../../evaluators/exact-match.js'
import {hallucination, isContentWord, unsupportedRate} from '../../evaluators/hallucination.js'
import {BUILTIN_EVALUATOR_NAMES, BUILTIN_EVALUATORS} from '../../evaluators/index.js'
import {jsonValid} from '../../evaluators/json-valid.js'
import {perplexity} from '../../evaluators/perplexity.js'
import {regex} from '../../evaluators/regex.js'
import {lcsLength, relevance, rougeL} from '../../evaluators/relevance.js'
import type {Evaluator, Score, ScoredRecord} from '../../evaluators/types.js'
import {InputError} from '../../src/errors.js'

const rec = (fields: Partial<ScoredRecord>): ScoredRecord => ({id: 'r1', cohort: 'c', ...fields})
const valueOf = async (e: Evaluator, r: ScoredRecord): Promise<number> => {
  const s = await e.score(r)
  return typeof s === 'number' ? s : (s as Score).value
}

describe('relevance (ROUGE-L F1)', () => {
  it('LCS of token lists', () => {
    assert.equal(lcsLength(['a', 'b', 'c', 'd'], ['a', 'c', 'd', 'b']), 3)
    assert.equal(lcsLength([], ['a']), 0)
  })

  it('matches hand-computed F1 on known strings', () => {
    // LCS "the cat on the mat" = 5 of 6 tokens each: P = R = 5/6
    assert.ok(Math.abs(rougeL('the cat lay on the mat', 'the cat sat on the mat') - 5 / 6) < 1e-12)
    // LCS "police the gunman" = 3; P = 3/5, R = 3/4, F = 2PR/(P+R) = 2/3
    assert.ok(Math.abs(rougeL('The police killed the gunman', 'police kill the gunman') - 2 / 3) < 1e-12)
    // LCS 1 of 2 and 2 tokens
    assert.equal(rougeL('cat the', 'the cat'), 0.5)
    // "french": P = 1/2, R = 1/4, F = 1/3
    assert.ok(Math.abs(rougeL('French bread', 'narrow French stick loaf') - 1 / 3) < 1e-12)
  })

  it('lower-cases, ignores punctuation, and scores empty outputs 0', () => {
    assert.equal(rougeL('Hello, World!', 'hello world'), 1)
    assert.equal(rougeL('', 'a reference'), 0)
    assert.equal(rougeL('', ''), 1)
    assert.equal(rougeL('unrelated words', 'a reference'), 0)
  })

  it('needs input, reference and output and is better higher', async () => {
    const e = relevance({threshold: 0.2})
    assert.deepEqual([...e.needs].sort(), ['input', 'output', 'reference'])
    assert.equal(e.direction, 'higher')
    assert.equal(e.threshold, 0.2)
    assert.ok(Math.abs((await valueOf(e, rec({input: 'q', reference: 'the cat sat on the mat', output: 'the cat lay on the mat'}))) - 5 / 6) < 1e-12)
  })
})

describe('hallucination (unsupported content-word rate)', () => {
  const record = {input: 'Q: what is a baguette?\nA:', reference: 'narrow French stick loaf', output: 'a long French bread loaf'}

  it('uses the stdlib stop-word list', () => {
    for (const w of ['a', 'what', 'is', 'the']) assert.equal(isContentWord(w), false, w)
    for (const w of ['long', 'bread', 'loaf', 'french']) assert.equal(isContentWord(w), true, w)
  })

  it('without context: "long" and "bread" are unsupported, 2 of 4 content words', () => {
    const r = unsupportedRate(rec(record))
    assert.equal(r.value, 0.5)
    assert.deepEqual(r.unsupported, ['long', 'bread'])
  })

  it('with context that supports them: 0', () => {
    assert.equal(unsupportedRate(rec({...record, context: 'A long loaf of French bread.'})).value, 0)
  })

  it('input alone can support words; an output of stop words only scores 0', () => {
    assert.equal(unsupportedRate(rec({input: 'what is a baguette', output: 'baguette crust'})).value, 0.5)
    assert.equal(unsupportedRate(rec({input: 'x', output: 'it is what it is'})).value, 0)
    assert.equal(unsupportedRate(rec({input: 'x', output: ''})).value, 0)
  })

  it('is better lower and explains unsupported words', async () => {
    const e = hallucination({threshold: 0.5})
    assert.equal(e.direction, 'lower')
    const s = (await e.score(rec(record))) as Score
    assert.equal(s.value, 0.5)
    assert.match(s.reason ?? '', /long, bread/)
  })
})

describe('perplexity', () => {
  it('per record is exp(nll / tokens) and aggregates as a ratio of sums', async () => {
    const e = perplexity({})
    assert.equal(e.aggregation, 'perplexity')
    assert.deepEqual([...e.needs], ['nll', 'tokens'])
    assert.ok(Math.abs((await valueOf(e, rec({nll: 4, tokens: 3}))) - Math.exp(4 / 3)) < 1e-12)
    assert.ok(Math.abs((await valueOf(e, rec({nll: Math.log(7) * 5, tokens: 5}))) - 7) < 1e-9)
  })
})

describe('json-valid, exact-match, contains, regex', () => {
  it('json-valid parses, and checks a schema when given', async () => {
    const plain = jsonValid({})
    assert.equal(await valueOf(plain, rec({output: '{"a": 1}'})), 1)
    assert.equal(await valueOf(plain, rec({output: '{a: 1}'})), 0)
    const schema = jsonValid({schema: {type: 'object', required: ['answer'], properties: {answer: {type: 'string'}}}})
    assert.equal(await valueOf(schema, rec({output: '{"answer": "yes"}'})), 1)
    const bad = (await schema.score(rec({output: '{"answer": 3}'}))) as Score
    assert.equal(bad.value, 0)
    assert.match(bad.reason ?? '', /\/answer must be string/)
    assert.equal(plain.threshold, 1)
  })

  it('json-valid refuses a schema that does not compile', () => {
    assert.throws(() => jsonValid({schema: {type: 'no-such-type'}}), InputError)
  })

  it('exact-match trims, and folds case only when asked', async () => {
    assert.equal(await valueOf(exactMatch({}), rec({output: ' Paris ', reference: 'Paris'})), 1)
    assert.equal(await valueOf(exactMatch({}), rec({output: 'paris', reference: 'Paris'})), 0)
    assert.equal(await valueOf(exactMatch({ignoreCase: true}), rec({output: 'paris', reference: 'Paris'})), 1)
  })

  it('contains scores the share of values found; without values, the reference', async () => {
    assert.equal(await valueOf(contains({value: ['bread', 'oven', 'salt']}), rec({output: 'bread baked in an oven'})), 2 / 3)
    assert.equal(await valueOf(contains({value: 'BREAD', ignoreCase: true}), rec({output: 'bread'})), 1)
    const byRef = contains({})
    assert.deepEqual([...byRef.needs], ['output', 'reference'])
    assert.equal(await valueOf(byRef, rec({output: 'a narrow French stick loaf, baked', reference: 'French stick'})), 1)
  })

  it('regex matches the output; a missing or broken pattern is an input error', async () => {
    assert.equal(await valueOf(regex({pattern: '^\\d{4}-\\d{2}$'}), rec({output: '2024-06'})), 1)
    assert.equal(await valueOf(regex({pattern: 'cat', flags: 'i'}), rec({output: 'A CAT'})), 1)
    // a global flag must not make repeated scoring depend on the previous call
    const g = regex({pattern: 'a', flags: 'g'})
    assert.equal(await valueOf(g, rec({output: 'a'})), 1)
    assert.equal(await valueOf(g, rec({output: 'a'})), 1)
    assert.throws(() => regex({}), /needs a "pattern"/)
    assert.throws(() => regex({pattern: '('}), /not a valid regular expression/)
  })
})

describe('registry', () => {
  it('has a factory for every built-in name, producing an evaluator of that name', () => {
    assert.deepEqual(Object.keys(BUILTIN_EVALUATORS).sort(), [...BUILTIN_EVALUATOR_NAMES].sort())
    for (const name of BUILTIN_EVALUATOR_NAMES) {
      const e = BUILTIN_EVALUATORS[name](name === 'regex' ? {pattern: 'x'} : {})
      assert.equal(e.name, name)
    }
  })
})
