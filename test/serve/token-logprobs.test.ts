// The served log-probs (src/serve/token-logprobs.ts) on the inference engine lrgate serve runs:
// rowNll for every token's log-prob, a KV-cache pass for the alternatives, sliding windows alike.
import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {Gpt} from '../../src/model/gpt.js'
import {scoreRecords} from '../../src/model/score.js'
import {CharTokenizer} from '../../src/model/tokenizer.js'
import {sequenceLogprobs} from '../../src/serve/token-logprobs.js'

describe('served token log-probs', () => {
  let backend: string
  before(async () => {
    backend = (await initBackend('auto')).name
  })

  it('the alternatives of every position hold its own token at its log-prob, across windows and batches', () => {
    const tokenizer = CharTokenizer.ascii()
    const model = Gpt.init({vocabSize: 96, contextLength: 16, dModel: 16, nLayers: 2, nHeads: 2, dropout: 0, tiedHead: true}, 5)
    const engine = model.inference()
    try {
      // 41 tokens with a 16-token context: four windows; a short one and a one-token one beside it
      const texts = ['Q: what is a loaf of bread made of?\nA: wheat\n', 'Q: x\nA:', 'a']
      const sequences = texts.map((t) => Int32Array.from(tokenizer.encode(t)))
      const V = model.config.vocabSize
      const all = sequenceLogprobs(engine, sequences, {top: V, batchSize: 2})
      all.forEach((lp, s) => {
        assert.equal(lp.logprobs[0], null)
        assert.equal(lp.top[0], null)
        for (let t = 1; t < sequences[s].length; t++) {
          const own = lp.top[t]!.find((a) => a.id === sequences[s][t])!
          assert.ok(Math.abs(own.logprob - lp.logprobs[t]!) < 1e-4, `${backend}: seq ${s} token ${t}: alternative ${own.logprob} vs ${lp.logprobs[t]}`)
          assert.ok(lp.top[t]![0].logprob >= own.logprob)
          assert.ok(Math.abs(lp.top[t]!.reduce((a, b) => a + Math.exp(b.logprob), 0) - 1) < 1e-4, 'a distribution over the vocabulary')
        }
      })
      // and the reference's summed log-prob is −(eval --model's NLL), sliding windows included
      const [direct] = scoreRecords(model, tokenizer, [{id: 'r', cohort: 'c', input: 'Q: what is a loaf of bread made of?\nA:', reference: 'wheat'}])
      const served = -all[0].logprobs.slice(-' wheat\n'.length).reduce((a, b) => a! + b!, 0)!
      assert.ok(Math.abs(served / direct.nll - 1) < 1e-5, `${served} vs ${direct.nll}`)
      assert.deepEqual(sequenceLogprobs(engine, sequences, {top: 0, batchSize: 8}).map((x) => x.logprobs), all.map((x) => x.logprobs), 'batching does not change a number')
    } finally {
      engine.dispose()
      model.dispose()
    }
  })
})
