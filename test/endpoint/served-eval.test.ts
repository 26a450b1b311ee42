import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {initBackend} from '../../src/compute/backend.js'
import {Gpt} from '../../src/model/gpt.js'
import {saveModel} from '../../src/model/io.js'
import {CharTokenizer} from '../../src/model/tokenizer.js'
import {buildIfStale} from '../fixtures/eval/cli.js'
import {writeSyntheticDataset} from '../fixtures/eval/synthetic.js'
import {lrgateAsync, type Served, startServe} from '../fixtures/endpoint/processes.js'
import {rateLimitedProxy, startFake} from '../fixtures/endpoint/servers.js'

const KEY = 'sk-test-7f3a9c2e5b1d4f6a8c0e'

interface Row {
  id: number
  label: string
  endpoint_url: string | null
  endpoint_model: string | null
  tokenizer: string | null
  reference_bytes: number | null
  perplexity_unavailable: string | null
}

describe('eval --endpoint against a real lrgate serve', () => {
  let dir: string
  let model: string
  let dataset: string
  let served: Served
  const db = () => join(dir, 'lrgate.db')
  const rows = (): Row[] => {
    const d = new Database(db(), {readonly: true})
    try {
      return d.prepare('SELECT * FROM evaluations ORDER BY id').all() as Row[]
    } finally {
      d.close()
    }
  }
  const cohortValues = (id: number, metric: string) => {
    const d = new Database(db(), {readonly: true})
    try {
      return d.prepare('SELECT cohort, value FROM cohort_metrics WHERE evaluation_id = ? AND metric = ? ORDER BY cohort').all(id, metric) as {cohort: string; value: number}[]
    } finally {
      d.close()
    }
  }

  before(async () => {
    buildIfStale()
    dir = mkdtempSync(join(tmpdir(), 'lrgate-served-'))
    await initBackend('auto')
    model = join(dir, 'tiny')
    await saveModel(model, Gpt.init({vocabSize: 96, contextLength: 64, dModel: 32, nLayers: 2, nHeads: 2, dropout: 0, tiedHead: true}, 5), CharTokenizer.ascii())
    dataset = writeSyntheticDataset(dir, {perCohort: 4, textCohort: true}).dir
    writeFileSync(
      join(dir, 'lrgate.config.yaml'),
      ['eval:', '  generation: {maxTokens: 12}', '  evaluators: [relevance, perplexity, bitsPerByte]', '  endpoint: {concurrency: 4, maxRetries: 2, timeoutSeconds: 30}'].join('\n') + '\n',
    )
    served = await startServe(model, ['--api-key-env', 'SERVE_KEY'], {SERVE_KEY: KEY})
  })
  after(async () => {
    if (served !== undefined) assert.equal(await served.stop(), 0, 'lrgate serve stops cleanly on SIGTERM')
  })

  it('gives the per-cohort perplexity and the greedy generations of eval --model; the key is in neither the database nor the logs', async () => {
    const viaModel = await lrgateAsync(['eval', '--model', model, '--dataset', dataset, '--label', 'direct', '--db', db()], {cwd: dir})
    assert.equal(viaModel.status, 0, viaModel.stderr)
    const viaEndpoint = await lrgateAsync(['eval', '--endpoint', served.url, '--dataset', dataset, '--label', 'served', '--db', db()], {cwd: dir, env: {OPENAI_API_KEY: KEY}})
    assert.equal(viaEndpoint.status, 0, viaEndpoint.stderr)
    const [direct, endpoint] = rows()
    assert.equal(endpoint.endpoint_url, served.url)
    assert.equal(endpoint.endpoint_model, 'tiny')
    assert.match(endpoint.tokenizer ?? '', /^char:[0-9a-f]{12}$/)
    assert.equal(endpoint.tokenizer, direct.tokenizer, 'lrgate serve reports the tokenizer of the model folder')
    assert.equal(endpoint.reference_bytes, direct.reference_bytes)
    assert.ok((endpoint.reference_bytes ?? 0) > 100)
    for (const metric of ['perplexity', 'bitsPerByte']) {
      const a = cohortValues(direct.id, metric), b = cohortValues(endpoint.id, metric)
      assert.equal(a.length, 4)
      assert.deepEqual(b.map((r) => r.cohort), a.map((r) => r.cohort))
      for (const [i, r] of a.entries()) assert.ok(Math.abs(b[i].value / r.value - 1) < 1e-4, `${metric} ${r.cohort}: ${b[i].value} vs ${r.value}`)
    }
    const d = new Database(db(), {readonly: true})
    const outputs = d
      .prepare('SELECT a.record_id AS id, a.output AS direct, b.output AS served FROM record_outputs a JOIN record_outputs b USING (record_id) WHERE a.evaluation_id = ? AND b.evaluation_id = ?')
      .all(direct.id, endpoint.id) as {id: string; direct: string | null; served: string | null}[]
    d.close()
    assert.equal(outputs.length, 16)
    assert.equal(outputs.filter((o) => o.direct !== null).length, 12)
    for (const o of outputs) assert.equal(o.served, o.direct, `record ${o.id}`)
    // the same tokenizer: a perplexity rule between them is allowed, and an A/A comparison passes
    const check = await lrgateAsync(['check', '--candidate', 'served', '--baseline', 'direct', '--db', db(), '--json'], {cwd: dir})
    assert.equal(check.status, 0, check.stderr)
    const bytes = readFileSync(db()).toString('latin1') + (existsSync(`${db()}-wal`) ? readFileSync(`${db()}-wal`).toString('latin1') : '')
    assert.ok(!bytes.includes(KEY), 'the API key is not in the database')
    for (const text of [viaEndpoint.stdout, viaEndpoint.stderr, check.stdout, check.stderr, served.output()]) assert.ok(!text.includes(KEY))
  })

  it('retries a 429 after the Retry-After it names, then succeeds', async () => {
    const proxy = await startFake(rateLimitedProxy(served.url, 2, 1))
    try {
      const r = await lrgateAsync(['eval', '--endpoint', proxy.url, '--dataset', dataset, '--label', 'limited', '--db', db()], {cwd: dir, env: {OPENAI_API_KEY: KEY}})
      assert.equal(r.status, 0, r.stderr)
      const completions = proxy.requests.filter((q) => q.path === '/v1/completions')
      // the probe was refused twice, then answered; every record then went through
      assert.equal(completions[0].body?.echo, true)
      assert.ok(completions[1].at - completions[0].at >= 900, `waited ${completions[1].at - completions[0].at} ms after the first 429`)
      assert.ok(completions[2].at - completions[1].at >= 900, `waited ${completions[2].at - completions[1].at} ms after the second 429`)
      assert.equal(completions.length, 2 + 1 + 12 + 16)
      assert.ok(proxy.requests.every((q) => q.authorization === `Bearer ${KEY}`))
    } finally {
      await proxy.close()
    }
  })

  it('refuses a wrong key with exit 2, one sentence naming the variable, and stores nothing', async () => {
    const before = rows().length
    const r = await lrgateAsync(['eval', '--endpoint', served.url, '--dataset', dataset, '--label', 'badkey', '--db', db()], {cwd: dir, env: {OPENAI_API_KEY: 'sk-wrong-key-0000'}})
    assert.equal(r.status, 2)
    assert.match(r.stderr, /^lrgate: http:\/\/127\.0\.0\.1:\d+\/v1\/models: 401 Incorrect API key provided\. — the key in OPENAI_API_KEY was refused; set OPENAI_API_KEY .*\n$/)
    assert.ok(!r.stderr.includes('sk-wrong-key-0000'))
    const none = await lrgateAsync(['eval', '--endpoint', served.url, '--dataset', dataset, '--label', 'nokey', '--db', db()], {cwd: dir})
    assert.equal(none.status, 2)
    assert.match(none.stderr, /no API key was sent \(OPENAI_API_KEY is not set\)/)
    assert.equal(rows().length, before)
  })

  it('sends 8 concurrent requests that all get the answers they get one at a time', async () => {
    const prompts = Array.from({length: 8}, (_, i) => `Q: what is a thing number ${i}?\nA:`)
    const ask = (prompt: string) =>
      fetch(`${served.url}/completions`, {
        method: 'POST',
        headers: {'content-type': 'application/json', authorization: `Bearer ${KEY}`},
        body: JSON.stringify({prompt, max_tokens: 10, temperature: 0, stop: ['\n']}),
      }).then((r) => r.json() as Promise<{choices: {text: string}[]}>)
    const alone: string[] = []
    for (const p of prompts) alone.push((await ask(p)).choices[0].text)
    const together = await Promise.all(prompts.map(ask))
    assert.deepEqual(together.map((r) => r.choices[0].text), alone)
  })
})
