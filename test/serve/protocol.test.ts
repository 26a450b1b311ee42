import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {Gpt} from '../../src/model/gpt.js'
import {scoreRecords} from '../../src/model/score.js'
import {CharTokenizer} from '../../src/model/tokenizer.js'
import {CompletionEngine} from '../../src/serve/engine.js'
import {type RunningServer, startServer} from '../../src/serve/server.js'

interface Completion {
  object: string
  model: string
  choices: {index: number; text: string; finish_reason: string; logprobs: {tokens: string[]; token_logprobs: (number | null)[]; top_logprobs: (Record<string, number> | null)[]; text_offset: number[]} | null}[]
  usage: {prompt_tokens: number; completion_tokens: number; total_tokens: number}
}

describe('lrgate serve: the OpenAI protocol (a real server on 127.0.0.1)', () => {
  let server: RunningServer
  let model: Gpt
  const tokenizer = CharTokenizer.ascii()
  const post = async (body: unknown, path = '/completions', headers: Record<string, string> = {}) => {
    const r = await fetch(`${server.url}${path}`, {method: 'POST', headers: {'content-type': 'application/json', authorization: 'Bearer k3y', ...headers}, body: typeof body === 'string' ? body : JSON.stringify(body)})
    return {status: r.status, body: (await r.json()) as Record<string, unknown>}
  }

  before(async () => {
    await initBackend('auto')
    // context 16: the 30-character text below is scored with sliding windows, as eval --model scores it
    model = Gpt.init({vocabSize: 96, contextLength: 16, dModel: 16, nLayers: 1, nHeads: 2, dropout: 0, tiedHead: true}, 9)
    server = await startServer({engine: new CompletionEngine(model, tokenizer, 8), modelName: 'tiny', modelInfo: {tokenizer: 'char:test'}, host: '127.0.0.1', port: 0, apiKey: 'k3y'})
  })
  after(async () => {
    await server.close()
    model.dispose()
  })

  it('lists the model', async () => {
    const r = await fetch(`${server.url}/models`, {headers: {authorization: 'Bearer k3y'}})
    assert.deepEqual(((await r.json()) as {data: unknown[]}).data.map((m) => (m as {id: string; lrgate: unknown}).lrgate), [{tokenizer: 'char:test'}])
  })

  it('echoes prompt log-probs that sum to eval --model\'s NLL of the reference, windows included', async () => {
    const prompt = 'Q: what is a loaf?\nA:'
    const completion = ' a bread\n'
    const r = await post({model: 'tiny', prompt: prompt + completion, echo: true, logprobs: 2, max_tokens: 0})
    assert.equal(r.status, 200)
    const body = r.body as unknown as Completion
    assert.equal(body.object, 'text_completion')
    const lp = body.choices[0].logprobs!
    assert.equal(body.choices[0].text, prompt + completion)
    assert.deepEqual(lp.tokens.join(''), prompt + completion)
    assert.deepEqual(lp.text_offset, Array.from({length: 30}, (_, i) => i))
    assert.equal(lp.token_logprobs[0], null)
    assert.equal(lp.top_logprobs[0], null)
    assert.equal(Object.keys(lp.top_logprobs[5]!).length, 2)
    assert.deepEqual(body.usage, {prompt_tokens: 30, completion_tokens: 0, total_tokens: 30})
    const served = -lp.token_logprobs.slice(prompt.length).reduce((a, b) => a! + b!, 0)!
    const [direct] = scoreRecords(model, tokenizer, [{id: 'r', cohort: 'c', input: prompt, reference: 'a bread'}])
    assert.equal(direct.tokens, completion.length)
    assert.ok(Math.abs(served / direct.nll - 1) < 1e-5, `${served} vs ${direct.nll}`)
  })

  it('generates for a list of prompts, greedy, with stop and usage', async () => {
    const r = await post({prompt: ['ab', 'cd'], max_tokens: 5, temperature: 0, stop: ['\n'], logprobs: 0})
    const body = r.body as unknown as Completion
    assert.equal(body.choices.length, 2)
    assert.deepEqual(body.choices.map((c) => c.index), [0, 1])
    for (const c of body.choices) {
      assert.ok(c.text.length <= 5 && !c.text.includes('\n'))
      assert.equal(c.logprobs!.tokens.join(''), c.text)
      assert.equal(c.logprobs!.text_offset[0], 2)
    }
    assert.equal(body.usage.prompt_tokens, 4)
  })

  it('answers malformed requests with 4xx in OpenAI\'s error shape', async () => {
    const cases: Array<[unknown, number, RegExp, string | null]> = [
      ['{not json', 400, /not valid JSON/, null],
      [{prompt: [1, 2]}, 400, /must be a string or a list of strings/, 'prompt'],
      [{prompt: 'x', n: 2}, 400, /"n"/, 'n'],
      [{prompt: 'x', stream: true}, 400, /"stream"/, 'stream'],
      [{prompt: 'x', logprobs: 9}, 400, /"logprobs"/, 'logprobs'],
      [{prompt: 'x', frobnicate: 1}, 400, /unsupported parameter "frobnicate"/, 'frobnicate'],
      [{prompt: 'x', model: 'gpt-4'}, 404, /The model `gpt-4` does not exist/, 'model'],
    ]
    for (const [body, status, message, param] of cases) {
      const r = await post(body)
      assert.equal(r.status, status, JSON.stringify(body))
      const error = r.body.error as {message: string; type: string; param: string | null; code: string | null}
      assert.match(error.message, message)
      assert.equal(error.type, 'invalid_request_error')
      assert.equal(error.param, param)
    }
    const wrongKey = await post({prompt: 'x'}, '/completions', {authorization: 'Bearer nope'})
    assert.equal(wrongKey.status, 401)
    assert.equal((wrongKey.body.error as {code: string}).code, 'invalid_api_key')
    const route = await post({}, '/chat/completions')
    assert.equal(route.status, 404)
  })
})
