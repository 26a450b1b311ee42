import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {InputError} from '../../src/errors.js'
import {nllRuleCheck} from '../../src/gate/nll-rules.js'
import type {EvaluationRow} from '../../src/store/evaluations.js'

const row = (id: number, label: string, extra: Partial<EvaluationRow>): EvaluationRow => ({
  id, label, datasetId: 1, datasetHash: 'h', datasetRef: 'd@1', source: 'model', modelDir: null, outputsFile: null, runId: null, candidateId: null,
  evaluators: [], seed: 1, backend: null, createdAt: 'now', endpointUrl: null, endpointModel: null, tokenizer: null, referenceBytes: null, perplexityUnavailable: null,
  ...extra,
})

describe('gate rules on log-likelihood metrics', () => {
  const base = row(1, 'base', {tokenizer: 'char:1efd1709cc14'})
  const sameTok = row(2, 'served', {tokenizer: 'char:1efd1709cc14', endpointUrl: 'http://127.0.0.1:8000/v1'})
  const otherTok = row(3, 'vllm', {tokenizer: 'model:meta-llama/Llama-3-8B'})
  const noLogprobs = row(4, 'llama', {tokenizer: 'model:x.gguf', perplexityUnavailable: 'it returned no log-probs at all ("logprobs": null or missing)'})

  it('compares perplexity in the same tokenizer, and anything that is not a log-likelihood metric', () => {
    assert.equal(nllRuleCheck('perplexity', 'perplexity', base, sameTok), undefined)
    assert.equal(nllRuleCheck('relevance', 'mean', base, otherTok), undefined)
    assert.equal(nllRuleCheck('perplexity', 'perplexity', base, row(5, 'file', {})), undefined, 'an unknown tokenizer (outputs file) is not refused')
  })

  it('refuses perplexity across tokenizers (exit 2) and points to bitsPerByte, which it allows', () => {
    assert.throws(
      () => nllRuleCheck('perplexity', 'perplexity', base, otherTok),
      (e: unknown) => e instanceof InputError && e.exitCode === 2 && /the candidate evaluation #3 \("vllm"\) counts tokens with tokenizer model:meta-llama\/Llama-3-8B and the baseline evaluation #1 \("base"\) with char:1efd1709cc14, so their per-token perplexities are different units; gate on bitsPerByte instead/.test(e.message),
    )
    assert.equal(nllRuleCheck('bitsPerByte', 'bitsPerByte', base, otherTok), undefined)
  })

  it('skips perplexity and bitsPerByte rules, with the reason, when an endpoint gave no prompt log-probs', () => {
    assert.equal(nllRuleCheck('perplexity', 'perplexity', base, noLogprobs), 'perplexity is unavailable from the candidate evaluation #4 ("llama"): it returned no log-probs at all ("logprobs": null or missing)')
    assert.match(nllRuleCheck('bitsPerByte', 'bitsPerByte', noLogprobs, base) ?? '', /^bitsPerByte is unavailable from the baseline evaluation #4/)
  })
})
