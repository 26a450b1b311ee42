import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {describe, it} from 'node:test'

import {loadDataset} from '../../src/datasets/load.js'
import type {Dataset, DatasetRecord} from '../../src/datasets/types.js'
import {packageRoot} from '../../src/paths.js'
import {chunkSentences, detokenize} from '../../scripts/datasets/brown.js'
import {buildDatasets} from '../../scripts/datasets/build.js'
import {jsonAnswer, jsonQuestion} from '../../scripts/datasets/plan-tasks.js'
import {definition, question} from '../../scripts/datasets/wordnet.js'

const SHIPPED = join(packageRoot(), 'datasets')

/** Every file under `dir` → its bytes, keyed by relative path. */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (at: string): void => {
    for (const e of readdirSync(at, {withFileTypes: true})) {
      if (e.isDirectory()) walk(join(at, e.name))
      else out.set(relative(dir, join(at, e.name)), readFileSync(join(at, e.name)))
    }
  }
  walk(dir)
  return out
}

function sameFiles(a: Map<string, Buffer>, b: Map<string, Buffer>, what: string): void {
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), what)
  for (const [file, bytes] of a) assert.ok(bytes.equals(b.get(file)!), `${what}: ${file} differs`)
}

describe('build helpers', () => {
  it('detokenize: tags dropped, quotes restored, punctuation attached', () => {
    const line = "``/`` Only/rb a/at relative/jj handful/nn ''/'' ,/, the/at jury/nn said/vbd ,/, ``/`` of/in Allen/np Jr./np ./."
    assert.equal(detokenize(line.split(' ')), '"Only a relative handful", the jury said, "of Allen Jr.')
    assert.equal(detokenize("the/at '/' Met/np '/' is/bez back/rb (/( again/rb )/) !/.".split(' ')), "the 'Met' is back (again)!")
    assert.equal(detokenize("bars/nns of/in 1/8''/nn ''/'' brass/nn".split(' ')), 'bars of 1/8" brass')
  })

  it('chunkSentences: whole sentences within the bounds', () => {
    const s = (n: number) => 'x'.repeat(n - 1) + '.'
    assert.deepEqual(chunkSentences([[s(300), s(200)], [s(500)], [s(900)], [s(100)]], 400, 800), [`${s(300)} ${s(200)}`, s(500)])
  })

  it('definition and question: examples dropped, long glosses cut or skipped, a/an', () => {
    assert.equal(definition('narrow French stick loaf; "a baguette for lunch"', 120), 'narrow French stick loaf')
    assert.equal(definition('woven of worsted yarns "he wore a worsted suit"', 120), 'woven of worsted yarns')
    assert.equal(definition(`${'a'.repeat(80)}; ${'b'.repeat(80)}`, 120), 'a'.repeat(80))
    assert.equal(definition('c'.repeat(121), 120), null)
    assert.equal(question('apple pie', 'noun'), 'Q: what is an apple pie?\nA:')
    assert.equal(question('drop back', 'verb'), 'Q: what does it mean to drop back?\nA:')
  })
})

describe('scripts/build-datasets.ts', () => {
  it('is deterministic: two builds give the same bytes, and they are the committed datasets/', () => {
    const first = mkdtempSync(join(tmpdir(), 'lrgate-build-a-'))
    const second = mkdtempSync(join(tmpdir(), 'lrgate-build-b-'))
    const written = buildDatasets(first)
    buildDatasets(second)
    assert.deepEqual(
      written.map((w) => w.ref),
      ['food-train@1', 'example-eval@1', 'example-pretrain@1', 'example-eval@2', 'example-pretrain@2'],
    )
    const a = snapshot(first)
    sameFiles(a, snapshot(second), 'second build')
    const shipped = new Map([...snapshot(SHIPPED)].filter(([f]) => ['food-train', 'example-eval', 'example-pretrain'].includes(f.split('/')[0])))
    sameFiles(a, shipped, 'committed datasets/ (rerun `npm run datasets:build`)')
  })
})

describe('the shipped datasets', async () => {
  const [train, evalSet, pretrain] = await Promise.all(['food-train@1', 'example-eval@1', 'example-pretrain@1'].map((ref) => loadDataset(ref)))
  const count = (ds: Dataset, cohort: string) => ds.records.filter((r) => r.cohort === cohort).length
  const synsets = (records: readonly DatasetRecord[]) => new Set(records.flatMap((r) => (r.meta?.synset ? [String(r.meta.synset)] : [])))
  const brownFiles = (records: readonly DatasetRecord[]) => new Set(records.flatMap((r) => (r.meta?.file ? [String(r.meta.file)] : [])))
  const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x))

  it('have the cohorts and sizes the example relies on', () => {
    assert.deepEqual(Object.keys(evalSet.manifest.cohorts), ['target:food', 'ood:animal', 'ood:artifact', 'ood:person', 'ood:verb-motion', 'ood:brown-news', 'ood:brown-fiction', 'ood:brown-learned'])
    for (const c of ['target:food', 'ood:animal', 'ood:artifact', 'ood:person', 'ood:verb-motion']) assert.equal(count(evalSet, c), 130, c)
    for (const c of ['ood:brown-news', 'ood:brown-fiction', 'ood:brown-learned']) assert.equal(count(evalSet, c), 50, c)
    assert.equal(train.manifest.cohorts['target:food'].role, 'target')
    assert.equal(train.manifest.cohorts['valid:food'].role, 'other')
    assert.ok(count(train, 'target:food') > 2000)
    assert.ok(Math.abs(count(train, 'valid:food') / train.records.length - 0.05) < 0.005)
    assert.ok(count(pretrain, 'general:brown') > 4000 && count(pretrain, 'general:definitions') > 6000)
  })

  it('are disjoint by synset and by Brown file; pretraining has no noun.food', () => {
    assert.deepEqual(overlap(synsets(train.records), synsets(evalSet.records)), [])
    assert.deepEqual(overlap(synsets(train.records), synsets(pretrain.records)), [])
    assert.deepEqual(overlap(synsets(evalSet.records), synsets(pretrain.records)), [])
    assert.deepEqual(overlap(brownFiles(evalSet.records), brownFiles(pretrain.records)), [])
    assert.ok(brownFiles(evalSet.records).size >= 15)
    assert.deepEqual(pretrain.records.filter((r) => r.meta?.lexfile === 'noun.food'), [])
    for (const r of evalSet.records.filter((x) => x.meta?.file)) assert.equal(Number(String(r.meta!.file).slice(2)) % 10, 0, r.id)
  })

  it('never ask the same question twice, keep answers short, and stay in printable ASCII', () => {
    const questions = new Map<string, string>()
    for (const r of [...train.records, ...evalSet.records, ...pretrain.records]) {
      const text = r.input ?? r.text!
      assert.match(text.replace(/\n/g, ''), /^[\x20-\x7e]+$/, r.id)
      if (r.input === undefined) {
        assert.ok(r.text!.length >= 400 && r.text!.length <= 800, `${r.id}: ${r.text!.length} chars`)
        // no Brown markup left: quote pairs or POS tags such as the/at, jury/nn, said/vbd
        assert.doesNotMatch(r.text!, /``|''|\/(at|nn|nns|np|in|jj|vbd|vbz|cc|rb|ppss)(\s|$)/, r.id)
        continue
      }
      assert.match(r.input, /^Q: what (is an? .+|does it mean to .+)\?\nA:$/, r.id)
      assert.ok(r.reference!.length <= 120 && !r.reference!.includes('"'), r.id)
      const key = r.input.toLowerCase()
      assert.equal(questions.get(key), undefined, `${r.id} asks the question of ${questions.get(key)}`)
      questions.set(key, r.id)
    }
  })

  it('state split rule, seed, sources and licenses, and fit in a few MB', () => {
    for (const ds of [train, evalSet, pretrain]) {
      for (const field of ['split', 'seed', 'sources', 'text', 'build']) assert.ok(ds.manifest[field] !== undefined, `${ds.ref}: ${field}`)
      assert.match(ds.manifest.license, /WordNet 3\.1 License/)
      assert.ok(statSync(join(ds.dir, 'LICENSE.txt')).size > 1000)
    }
    assert.match(evalSet.manifest.license, /Brown Corpus/)
    const bytes = (ds: Dataset) => Object.keys(ds.manifest.files).reduce((n, f) => n + statSync(join(ds.dir, f)).size, 0)
    assert.ok(bytes(pretrain) <= 4.2e6, `example-pretrain@1 is ${bytes(pretrain)} bytes`)
    assert.ok(bytes(train) + bytes(evalSet) + bytes(pretrain) <= 5e6)
  })
})

describe('the second example: example-eval@2 and example-pretrain@2', async () => {
  const [train, eval1, evalSet, pretrain] = await Promise.all(['food-train@1', 'example-eval@1', 'example-eval@2', 'example-pretrain@2'].map((ref) => loadDataset(ref)))
  const asked = (records: readonly DatasetRecord[]) => new Set(records.flatMap((r) => (r.meta?.synset ? [String(r.meta.synset)] : [])))
  const every = (records: readonly DatasetRecord[]) =>
    new Set(records.flatMap((r) => [...(r.meta?.synset ? [String(r.meta.synset)] : []), ...((r.meta?.distractors as string[] | undefined) ?? [])]))
  const brownFiles = (records: readonly DatasetRecord[]) => new Set(records.flatMap((r) => (r.meta?.file ? [String(r.meta.file)] : [])))
  const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x))
  const cohort = (c: string) => evalSet.records.filter((r) => r.cohort === c)

  it('has the target, grounded, JSON and Brown cohorts, about 100 records each', () => {
    const sizes = Object.fromEntries(Object.keys(evalSet.manifest.cohorts).map((c) => [c, cohort(c).length]))
    assert.deepEqual(sizes, {
      'target:food': 100,
      'ood:grounded-animal': 100,
      'ood:grounded-artifact': 100,
      'ood:grounded-person': 100,
      'ood:grounded-motion': 100,
      'ood:json': 100,
      'ood:brown-news': 40,
      'ood:brown-fiction': 40,
      'ood:brown-learned': 40,
    })
    // the target stays closed-book food definitions, a subset of example-eval@1's
    const food1 = new Set(eval1.records.filter((r) => r.cohort === 'target:food').map((r) => r.id))
    for (const r of cohort('target:food')) assert.ok(food1.has(r.id) && r.context === undefined, r.id)
  })

  it('is disjoint from pretraining and fine-tuning by synset (asked words and distractors) and by Brown file', () => {
    assert.deepEqual(overlap(every(evalSet.records), every(pretrain.records)), [])
    assert.deepEqual(overlap(asked(evalSet.records), asked(train.records)), [])
    assert.deepEqual(overlap(brownFiles(evalSet.records), brownFiles(pretrain.records)), [])
    const lexfiles = new Set(evalSet.records.filter((r) => r.cohort !== 'target:food' && r.meta?.lexfile).map((r) => String(r.meta!.lexfile)))
    assert.deepEqual([...lexfiles].sort(), ['noun.animal', 'noun.artifact', 'noun.person', 'verb.motion'])
    assert.ok(pretrain.records.length > 30_000)
  })

  it('grounded and JSON records: the right line among two or three, equally often at each position per cohort, answer = its gloss, within 250 characters', () => {
    for (const c of ['ood:grounded-animal', 'ood:grounded-artifact', 'ood:grounded-person', 'ood:grounded-motion', 'ood:json']) {
      const positions = new Map<string, number>()
      for (const r of cohort(c)) {
        const lines = r.context!.split('\n')
        assert.ok(lines.length === 2 || lines.length === 3, r.id)
        if (c !== 'ood:json') {
          const word = /^Q: what (?:is an?|does it mean to) (.+)\?\nA:$/.exec(r.input!)![1]
          assert.equal(lines[r.meta!.position as number], `${word}: ${r.reference}`, r.id)
          assert.equal(lines.filter((l) => l.startsWith(`${word}: `)).length, 1, r.id)
        }
        assert.ok(r.context!.length + r.input!.length + r.reference!.length + 3 <= 250, r.id)
        const key = `${lines.length}/${r.meta!.position}`
        positions.set(key, (positions.get(key) ?? 0) + 1)
      }
      for (const n of [2, 3]) {
        const counts = [...Array(n).keys()].map((p) => positions.get(`${n}/${p}`) ?? 0)
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${c}, ${n} lines: ${counts}`)
      }
    }
  })

  it('JSON records: fields derivable from the question and the right context line', () => {
    for (const r of cohort('ood:json')) {
      const {word, pos, category} = JSON.parse(r.reference!) as {word: string; pos: string; category: string}
      assert.equal(r.input, jsonQuestion(word))
      assert.equal(r.reference, jsonAnswer(word, `${pos}.${category}`))
      assert.ok(r.context!.split('\n').includes(`${word}: ${pos}.${category}`), r.id)
    }
  })
})
