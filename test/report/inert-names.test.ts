import {createHash} from 'node:crypto'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {inert, markdownText, safeJson, safeLines} from '../../src/util/inert.js'
import {buildIfStale, lrgate} from '../fixtures/eval/cli.js'
import {syntheticOutputs, writeOutputs, writeSyntheticDataset} from '../fixtures/eval/synthetic.js'
import {writeDataset} from '../fixtures/sweep/workplace.js'

const INJECTED = 'pr-1\n::error title=pwned::build failed'
const HTML = '<img src=x onerror=alert(1)><script>alert(2)</script><h1>big</h1>'

/** No printed line may start with `::` (a GitHub Actions workflow command) or hold a raw control character. */
function assertInert(text: string): void {
  for (const line of text.split('\n')) assert.doesNotMatch(line, /^\s*::/, `line starts a workflow command: ${JSON.stringify(line)}`)
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/)
}

describe('names from outside stay inert', () => {
  before(() => buildIfStale())

  it('escapes control characters, separators and bidi overrides; no line can start a workflow command', () => {
    assert.equal(inert(INJECTED), 'pr-1\\n::error title=pwned::build failed')
    assert.equal(inert('a\u001b[31mred\u0007\u007f\u0085\u2028\u202eevil\u2066'), 'a\\x1b[31mred\\x07\\x7f\\x85\\u2028\\u202eevil\\u2066')
    assert.equal(inert('::warning::x'), '\\x3a:warning::x')
    assert.equal(safeLines('table\n::set-output name=x::y\n  ::error::z\nok\u001b'), 'table\n\\x3a:set-output name=x::y\n  \\x3a:error::z\nok\\x1b')
    assert.equal(inert('plain lr-1e-4 名前 ok'), 'plain lr-1e-4 名前 ok')
    assert.equal(JSON.parse(safeJson(JSON.stringify({s: 'a\u2028b\u202e\u0085\n'}, null, 2))).s, 'a\u2028b\u202e\u0085\n', 'JSON stays lossless')
    assert.equal(safeJson(JSON.stringify({a: 1}, null, 2)), '{\n  "a": 1\n}', 'its layout is kept')
    assert.doesNotMatch(safeJson(JSON.stringify('a\u2028b\u202e')), /[\u2028\u202e]/)
    const md = markdownText(HTML + ' [x](http://e) | `c`')
    assert.doesNotMatch(md, /<|>/)
    assert.equal(md, '&lt;img src=x onerror=alert\\(1\\)&gt;&lt;script&gt;alert\\(2\\)&lt;/script&gt;&lt;h1&gt;big&lt;/h1&gt; \\[x\\]\\(http://e\\) \\| \\`c\\`')
  })

  it('a label with a newline, an outputs-file id with a newline and HTML in a label: printed escaped, Markdown and step summary carry no HTML', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-names-'))
    const {records} = writeSyntheticDataset(join(cwd, 'datasets'), {perCohort: 20})
    writeOutputs(join(cwd, 'base.jsonl'), syntheticOutputs(records, {seed: 1, nllPerToken: 1.9}))
    writeOutputs(join(cwd, 'worse.jsonl'), syntheticOutputs(records, {seed: 1, nllPerToken: 1.9, oodReplaced: 0.5}))
    const run = (...args: string[]) => lrgate([...args, '--db', 'lrgate.db'], {cwd, env: {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(cwd, 'summary.md')}})
    const stored = run('eval', '--outputs', 'base.jsonl', '--dataset', 'synthetic-eval@1', '--label', INJECTED)
    assert.equal(stored.status, 0, stored.stderr)
    assertInert(stored.stdout + stored.stderr)
    assert.match(stored.stdout, /"pr-1\\n::error title=pwned::build failed"/)
    assert.equal(run('eval', '--outputs', 'worse.jsonl', '--dataset', 'synthetic-eval@1', '--label', HTML).status, 0)

    for (const args of [['runs', 'list'], ['check', '--candidate', HTML, '--baseline', INJECTED, '--markdown', 'gate.md'], ['check', '--candidate', INJECTED, '--baseline', INJECTED]]) {
      const r = run(...args)
      assert.ok(r.status === 0 || r.status === 1, r.stderr)
      assertInert(r.stdout + r.stderr)
    }
    for (const file of ['gate.md', 'summary.md']) {
      const md = readFileSync(join(cwd, file), 'utf8')
      assert.doesNotMatch(md, /<img|<script|<h1/i, `${file} carries raw HTML`)
      assert.match(md, /&lt;img src=x onerror=alert\\\(1\\\)&gt;/)
      assertInert(md)
    }

    // An outputs-file id with a newline in an error message (stderr).
    writeFileSync(join(cwd, 'bad.jsonl'), [...readFileSync(join(cwd, 'base.jsonl'), 'utf8').trim().split('\n'), JSON.stringify({id: 'x\n::error::injected', output: 'o'})].join('\n') + '\n')
    const bad = run('eval', '--outputs', 'bad.jsonl', '--dataset', 'synthetic-eval@1', '--label', 'bad')
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /"x\\n::error::injected"/)
    assertInert(bad.stdout + bad.stderr)
  })

  it('a symbolic link in a dataset folder pointing outside it is refused: verify and eval exit 2 without reading it', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-names-'))
    const outside = join(cwd, 'secret.jsonl')
    const line = JSON.stringify({id: 's1', cohort: 'target:x', input: 'Q', reference: 'A'}) + '\n'
    writeFileSync(outside, line)
    const dir = writeDataset(cwd, 'linked', '1', {'eval.jsonl': [{id: 'a1', cohort: 'target:x', input: 'Q', reference: 'A'}]}, {'target:x': 'target'})
    // The manifest lists the link with the outside file's true hash: only the path gives it away.
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {files: Record<string, string>}
    manifest.files['leak.jsonl'] = sha256Of(outside)
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
    symlinkSync(outside, join(dir, 'leak.jsonl'))
    const verify = lrgate(['datasets', 'verify', 'linked@1'], {cwd})
    assert.equal(verify.status, 2, verify.stdout)
    assert.match(verify.stderr, /leak\.jsonl: a symbolic link to a file outside the dataset folder/)
    assert.doesNotMatch(verify.stderr, /secret\.jsonl/)
    writeOutputs(join(cwd, 'o.jsonl'), [{id: 'a1', output: 'A'}, {id: 's1', output: 'A'}])
    const ev = lrgate(['eval', '--outputs', 'o.jsonl', '--dataset', 'linked@1', '--label', 'x', '--db', 'lrgate.db'], {cwd})
    assert.equal(ev.status, 2)
    assert.match(ev.stderr, /a symbolic link to a file outside the dataset folder/)
    // A link to /etc/passwd: its hash is never computed, so never printed.
    const dir2 = writeDataset(cwd, 'passwd', '1', {'eval.jsonl': [{id: 'a1', cohort: 'target:x', input: 'Q', reference: 'A'}]}, {'target:x': 'target'})
    const m2 = JSON.parse(readFileSync(join(dir2, 'manifest.json'), 'utf8')) as {files: Record<string, string>}
    m2.files['p.jsonl'] = '0'.repeat(64)
    writeFileSync(join(dir2, 'manifest.json'), JSON.stringify(m2))
    symlinkSync('/etc/passwd', join(dir2, 'p.jsonl'))
    const pw = lrgate(['datasets', 'verify', 'passwd@1'], {cwd})
    assert.equal(pw.status, 2)
    assert.doesNotMatch(pw.stderr, /[0-9a-f]{64}/, 'no hash of the outside file is printed')
  })
})

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}
