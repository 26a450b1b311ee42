import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {buildIfStale} from '../fixtures/eval/cli.js'
import {syntheticOutputs, writeSyntheticDataset} from '../fixtures/eval/synthetic.js'
import {lrgateAsync} from '../fixtures/endpoint/processes.js'
import {chatOnly, FAKE_ANSWER, type FakeServer, hangs, llamaCppB4501, llamaCppRejectsEcho, malformed, ollama, startFake, twoModels} from '../fixtures/endpoint/servers.js'
import {pinnedConfigYaml} from '../fixtures/eval/pinned-config.js'

describe('eval --endpoint against servers shaped as llama.cpp and Ollama (README.md beside the fixtures cites the shapes)', () => {
  let dir: string
  let dataset: string
  const servers: FakeServer[] = []
  const start = async (handler: Parameters<typeof startFake>[0]) => {
    const s = await startFake(handler)
    servers.push(s)
    return s
  }
  const evaluations = (db: string) => {
    if (!existsSync(db)) return []
    const d = new Database(db, {readonly: true})
    try {
      return d.prepare('SELECT label, perplexity_unavailable AS reason, tokenizer FROM evaluations ORDER BY id').all() as {label: string; reason: string | null; tokenizer: string | null}[]
    } finally {
      d.close()
    }
  }

  before(() => {
    buildIfStale()
    dir = mkdtempSync(join(tmpdir(), 'lrgate-endpoints-'))
    const ds = writeSyntheticDataset(dir, {perCohort: 4})
    dataset = ds.dir
    // a baseline with perplexity, from an outputs file
    writeFileSync(join(dir, 'base.jsonl'), syntheticOutputs(ds.records, {nllPerToken: 1.5}).map((o) => JSON.stringify(o)).join('\n') + '\n')
    // generous: the stand-ins answer from this test process, which a loaded machine can starve for seconds
    writeFileSync(join(dir, 'lrgate.config.yaml'), pinnedConfigYaml({eval: {endpoint: {maxRetries: 1, timeoutSeconds: 60, concurrency: 2}}}))
  })
  after(async () => {
    for (const s of servers) await s.close()
  })

  for (const [name, handler, behaviour] of [
    ['llama.cpp b4501', llamaCppB4501, /it returned no log-probs at all \("logprobs": null or missing\); it also ignored echo/],
    ['Ollama', ollama, /it returned no log-probs at all \("logprobs": null or missing\); it also ignored echo/],
    ['llama.cpp refusing echo', llamaCppRejectsEcho, /it refused the request \(400 Only no echo is supported\)/],
  ] as const) {
    it(`${name}: perplexity unavailable, said once, stored, and the gate skips perplexity rules with that reason`, async () => {
      const server = await start(handler)
      const db = join(dir, `${name.replace(/\W+/g, '-')}.db`)
      const base = await lrgateAsync(['eval', '--outputs', 'base.jsonl', '--dataset', dataset, '--label', 'base-model', '--db', db], {cwd: dir})
      assert.equal(base.status, 0, base.stderr)
      const r = await lrgateAsync(['eval', '--endpoint', server.url, '--dataset', dataset, '--label', 'served', '--db', db, '--json'], {cwd: dir})
      assert.equal(r.status, 0, r.stderr)
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith('lrgate: warning:'))
      assert.equal(warnings.length, 1)
      assert.match(warnings[0], /^lrgate: warning: perplexity is unavailable from http:\/\/127\.0\.0\.1:\d+\/v1 \(model "[^"]+"\): /)
      assert.match(warnings[0], behaviour)
      assert.match(warnings[0], /the gate skips perplexity rules\.$/)
      const summary = JSON.parse(r.stdout) as {cohorts: {cohort: string; metrics: Record<string, unknown>}[]}
      assert.equal(summary.cohorts.length, 3)
      for (const c of summary.cohorts) {
        assert.ok('relevance' in c.metrics, c.cohort)
        assert.ok(!('perplexity' in c.metrics), c.cohort)
      }
      const [, served] = evaluations(db)
      assert.match(served.reason ?? '', behaviour)
      // no probe passed, so no scoring requests: only the model list, probes and generations
      const scoring = server.requests.filter((q) => q.body?.echo === true)
      assert.ok(scoring.length <= 2, `${scoring.length} echo requests`)
      const check = await lrgateAsync(['check', '--candidate', 'served', '--baseline', 'base-model', '--db', db, '--json'], {cwd: dir})
      assert.notEqual(check.status, 2, check.stderr)
      const report = JSON.parse(check.stdout) as {results: {metric: string; status: string; message: string}[]}
      const ppl = report.results.filter((row) => row.metric === 'perplexity')
      assert.equal(ppl.length, 2)
      for (const row of ppl) {
        assert.equal(row.status, 'skipped')
        assert.match(row.message, /^perplexity is unavailable from the candidate evaluation #2 \("served"\): /)
        assert.match(row.message, behaviour)
      }
    })
  }

  it('api: chat generates through /v1/chat/completions with the prompt as one user message; perplexity unavailable', async () => {
    const server = await start(chatOnly)
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-chat-'))
    writeFileSync(join(cwd, 'lrgate.config.yaml'), pinnedConfigYaml({eval: {endpoint: {api: 'chat', maxRetries: 0}}}))
    const db = join(cwd, 'chat.db')
    const r = await lrgateAsync(['eval', '--endpoint', server.url, '--dataset', dataset, '--db', db], {cwd})
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, /perplexity is unavailable from .*: it refused the request \(404 Unknown route \/v1\/completions\)/)
    const chats = server.requests.filter((q) => q.path === '/v1/chat/completions')
    assert.equal(chats.length, 12)
    const messages = chats[0].body?.messages as {role: string; content: string}[]
    assert.equal(messages.length, 1)
    assert.equal(messages[0].role, 'user')
    assert.match(messages[0].content, /^Q: what is a /)
    const d = new Database(db, {readonly: true})
    const outputs = d.prepare('SELECT DISTINCT output FROM record_outputs WHERE output IS NOT NULL').pluck().all()
    const label = d.prepare('SELECT label FROM evaluations').pluck().get()
    d.close()
    // the answer cut at the first stop sequence ("\n") and trimmed, as eval --model does
    assert.deepEqual(outputs, [FAKE_ANSWER.split('\n')[0].trim()])
    assert.equal(label, 'chat-model')
  })

  it('a request that never gets an answer times out: exit 2, one sentence, nothing stored', async () => {
    const server = await start(hangs)
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-timeout-'))
    writeFileSync(join(cwd, 'lrgate.config.yaml'), pinnedConfigYaml({eval: {endpoint: {maxRetries: 1, timeoutSeconds: 3}}}))
    const db = join(cwd, 'timeout.db')
    const r = await lrgateAsync(['eval', '--endpoint', server.url, '--dataset', dataset, '--label', 'slow', '--db', db], {cwd})
    assert.equal(r.status, 2)
    // the probe's request hangs; on a starved machine even the model list may time out first
    assert.match(r.stderr, /^lrgate: http:\/\/127\.0\.0\.1:\d+\/v1\/(completions|models): no answer within 3 s for (the prompt log-prob probe|the model list) \(after 1 retries\); raise eval\.endpoint\.timeoutSeconds or check the server\.\n$/)
    if (r.stderr.includes('/completions:')) assert.equal(server.requests.filter((q) => q.path === '/v1/completions').length, 2, 'the request and one retry')
    assert.deepEqual(evaluations(db), [])
  })

  it('an unreachable URL: exit 2 naming it, nothing stored', async () => {
    const gone = await startFake(ollama)
    await gone.close()
    const db = join(dir, 'unreachable.db')
    const r = await lrgateAsync(['eval', '--endpoint', gone.url, '--dataset', dataset, '--db', db], {cwd: dir})
    assert.equal(r.status, 2)
    assert.match(r.stderr, /^lrgate: http:\/\/127\.0\.0\.1:\d+\/v1\/models: cannot reach the server \(ECONNREFUSED\) for the model list \(after 1 retries\); start it or fix --endpoint\.\n$/)
    assert.ok(!existsSync(db))
  })

  it('a malformed response, several models, an unknown model: exit 2, one sentence each', async () => {
    const bad = await start(malformed)
    const db = join(dir, 'errors.db')
    const m = await lrgateAsync(['eval', '--endpoint', bad.url, '--dataset', dataset, '--db', db], {cwd: dir})
    assert.equal(m.status, 2)
    assert.match(m.stderr, /\/v1\/completions: malformed response for the prompt log-prob probe: field "choices": .*; is this an OpenAI-compatible server\?\n$/)
    const two = await start(twoModels)
    const t = await lrgateAsync(['eval', '--endpoint', two.url, '--dataset', dataset, '--db', db], {cwd: dir})
    assert.equal(t.status, 2)
    assert.match(t.stderr, /\/v1\/models: the server lists 2 models \("a", "b"\); choose one with --endpoint-model\.\n$/)
    const u = await lrgateAsync(['eval', '--endpoint', two.url, '--endpoint-model', 'c', '--dataset', dataset, '--db', db], {cwd: dir})
    assert.equal(u.status, 2)
    assert.match(u.stderr, /the server does not serve model "c"; it lists "a", "b"; fix --endpoint-model\.\n$/)
    assert.deepEqual(evaluations(db), [])
  })
})
