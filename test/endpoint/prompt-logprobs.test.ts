import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {cutAtStop} from '../../src/endpoint/endpoint-outputs.js'
import {mapLimit} from '../../src/endpoint/map-limit.js'
import {checkCoverage, codePoints, referenceNll} from '../../src/endpoint/prompt-logprobs.js'

// vLLM's shape (the v0.16.0 output quoted in ggml-org/llama.cpp PR #15189), on a shorter prompt
const TEXT = 'The step of boiling water is: 1'
const VLLM = {
  text_offset: [0, 3, 8, 11, 19, 25, 28, 29, 30],
  token_logprobs: [null, -8.8, -1.5, -13.5, -2.0, -2.2, -8.5, -1.3, -0.4],
  tokens: ['The', ' step', ' of', ' boiling', ' water', ' is', ':', ' ', '1'],
}

describe('prompt log-prob coverage', () => {
  it('accepts log-probs covering the whole text and sums the reference tokens, a straddling token counting to the reference', () => {
    const c = checkCoverage(TEXT, VLLM)
    assert.ok(c.ok)
    // reference = " water is: 1" (from character 19): tokens " water" … "1"
    assert.deepEqual(referenceNll(c, 19), {nll: 2.0 + 2.2 + 8.5 + 1.3 + 0.4, tokens: 5})
    // a boundary inside " boiling" (characters 11–19): that token counts to the reference
    const straddle = referenceNll(c, 14)
    assert.equal(straddle.tokens, 6)
    assert.ok(Math.abs(straddle.nll - (13.5 + 2.0 + 2.2 + 8.5 + 1.3 + 0.4)) < 1e-9)
  })

  it('drops a generated token past the end (servers that need max_tokens 1)', () => {
    const c = checkCoverage('The step', {text_offset: [0, 3, 8], token_logprobs: [null, -1, -2], tokens: ['The', ' step', ' of']})
    assert.ok(c.ok)
    assert.equal(c.tokens.length, 2)
  })

  it('refuses what llama.cpp, Ollama and partial answers give, saying what the server did', () => {
    const no = (logprobs: Parameters<typeof checkCoverage>[1]) => {
      const c = checkCoverage(TEXT, logprobs)
      assert.ok(!c.ok)
      return c.reason
    }
    assert.match(no(null), /returned no log-probs at all/)
    assert.match(no(undefined), /returned no log-probs at all/)
    // generated tokens only: one entry, past the prompt
    assert.match(no({text_offset: [31], token_logprobs: [-0.2], tokens: [' 2']}), /generated tokens only/)
    // chat-style log-probs on the completions route
    assert.match(no({content: [{token: ' 2', logprob: -0.2}]} as never), /lack the completions fields/)
    assert.match(no({...VLLM, token_logprobs: [null, -8.8, null, -13.5, -2.0, -2.2, -8.5, -1.3, -0.4]}), /prompt token 2 of 9 \(" of"\) has no finite log-prob/)
    assert.match(no({text_offset: [0, 3], token_logprobs: [null, -1], tokens: ['The', ' step']}), /end at character 8 of 31/)
    assert.match(no({...VLLM, text_offset: [0, 3, 8, 11, 19, 25, 28, 29]}), /differ in length/)
  })

  it('counts text offsets in code points, as Python does', () => {
    assert.equal(codePoints('café 🍞'), 6)
  })
})

describe('endpoint helpers', () => {
  it('cuts an answer at the first of every stop sequence', () => {
    assert.equal(cutAtStop(' a loaf\nQ: next', ['\n']), ' a loaf')
    assert.equal(cutAtStop('a;b|c', [';', '|', 'x', 'y', 'z']), 'a')
    assert.equal(cutAtStop('abc', []), 'abc')
  })

  it('maps with bounded concurrency, in order, and fails on the first error', async () => {
    let running = 0
    let most = 0
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      most = Math.max(most, ++running)
      await new Promise((r) => setTimeout(r, x * 5))
      running--
      return x * 10
    })
    assert.deepEqual(out, [50, 10, 40, 20, 30])
    assert.equal(most, 2)
    await assert.rejects(mapLimit([1, 2, 3], 2, async (x) => {
      if (x === 2) throw new Error('record 2 failed')
      return x
    }), /record 2 failed/)
  })
})
