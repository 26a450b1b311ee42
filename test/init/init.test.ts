import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'
import {isMap, type Node, parse, parseDocument, type Scalar} from 'yaml'

import {DEFAULT_CONFIG} from '../../src/config/defaults.js'
import {parseConfigText} from '../../src/config/load.js'
import {KEY_COMMENTS} from '../../src/init/config-comments.js'
import {starterConfigYaml} from '../../src/init/config-template.js'
import {WORKFLOW_FILE, workflowYaml} from '../../src/init/workflow-template.js'
import {initProject, lrgateInstall} from '../../src/init/write.js'
import {messageOf} from '../fixtures/input-error.js'
import {buildIfStale, lrgate, ROOT} from '../fixtures/eval/cli.js'

interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
}
interface Job {
  if: string
  'runs-on': string
  steps: Step[]
}
interface Workflow {
  on: {pull_request: null; schedule: {cron: string}[]; workflow_dispatch: {inputs: Record<string, unknown>}}
  permissions: Record<string, string>
  jobs: Record<string, Job>
}

/** Dotted paths of every map key in a YAML node. */
function keyPaths(node: Node | null, path: string[] = [], out: string[] = []): string[] {
  if (isMap(node)) {
    for (const pair of node.items) {
      const here = [...path, String((pair.key as Scalar).value)]
      out.push(here.join('.'))
      keyPaths(pair.value as Node, here, out)
    }
  }
  return out
}

const runs = (job: Job) => job.steps.filter((s) => s.run !== undefined).map((s) => s.run!)

/** Each `npx lrgate …` command in a script: its words before the first flag, and its --flags. */
function lrgateCalls(script: string): {command: string[]; flags: string[]}[] {
  return [...script.matchAll(/(?:^|\$\(|&& )\s*(?:npx )?lrgate ([^|>\n]*)/gm)].map((m) => {
    const tokens = m[1].trim().split(/\s+/)
    const first = tokens.findIndex((t) => t.startsWith('-') || t.startsWith('"') || t.startsWith('$'))
    const words = tokens.slice(0, first === -1 ? tokens.length : first)
    return {command: words, flags: tokens.filter((t) => t.startsWith('--')).map((t) => t.replace(/^--|=.*$/g, ''))}
  })
}

describe('lrgate init: starter config', () => {
  const text = starterConfigYaml()

  it('parses with the real loader to exactly the defaults, and spells every default out', () => {
    assert.deepEqual(parseConfigText(text, 'lrgate.config.yaml'), DEFAULT_CONFIG)
    // Not just "empty file merges to the defaults": the file itself holds every value.
    assert.deepEqual(parse(text), JSON.parse(JSON.stringify(DEFAULT_CONFIG)))
  })

  it('has a comment above every key, and no comment for a key that does not exist', () => {
    const keys = keyPaths(parseDocument(text).contents as Node)
    assert.ok(keys.length > 40, `only ${keys.length} keys`)
    assert.deepEqual([...keys].sort(), Object.keys(KEY_COMMENTS).sort())
    // Every line holding a key (block style) has a comment line right above it.
    const lines = text.split('\n')
    const keyLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[A-Za-z][A-Za-z0-9]*:/.test(l))
    assert.equal(keyLines.length, keys.length)
    assert.deepEqual(keyLines.filter(([, i]) => !/^\s*# \S/.test(lines[i - 1])).map(([l]) => l), [])
    // Each default evaluator and gate rule gets its own line of explanation, from its values.
    assert.match(text, /# On cohorts ood:brown-\*, perplexity may rise by at most 5% of the baseline\.\n\s+- \{ cohorts: ood:brown-\*, metric: perplexity, maxRise: 0\.05, relative: true \}/)
    assert.match(text, /# relevance: a record fails when its score is below 0\.5\.\n\s+- \{ name: relevance, threshold: 0\.5 \}/)
    assert.match(text, /# hallucination: a record fails when its score is above 0\.5\.\n\s+- \{ name: hallucination, threshold: 0\.5 \}\n/)
    assert.match(text, /# perplexity: scored and aggregated per cohort; no threshold, so it never fails a record\.\n\s+- perplexity\n/)
    assert.match(text, /- \{ name: json-valid, cohorts: ood:json, threshold: 1, schema: \{ type: object, /)
    assert.match(text, /lrs: \[ 1e-6, 3e-5, 3e-4, 1e-3 \]/)
    assert.match(text, /stop: \[ "\\n" \]/)
  })

  it('refuses to document a key it has no comment for', () => {
    const withName = {...DEFAULT_CONFIG, sweep: {...DEFAULT_CONFIG.sweep, name: 'weekly'}}
    assert.throws(() => starterConfigYaml(withName), /no comment for key "sweep\.name"/)
  })
})

describe('lrgate init: GitHub Actions workflow', () => {
  const workflow = parse(workflowYaml()) as Workflow
  const {gate, retrain} = workflow.jobs

  it('is YAML with a pull_request job "gate" and a weekly + manual job "retrain"', () => {
    assert.deepEqual(Object.keys(workflow.jobs), ['gate', 'retrain'])
    assert.deepEqual(Object.keys(workflow.on), ['pull_request', 'schedule', 'workflow_dispatch'])
    assert.equal(workflow.on.schedule.length, 1)
    const cron = workflow.on.schedule[0].cron.split(' ')
    assert.equal(cron.length, 5)
    assert.match(cron[4], /^[0-6]$/, 'once a week: a fixed day of the week')
    assert.deepEqual([cron[2], cron[3]], ['*', '*'])
    assert.equal(gate.if, "github.event_name == 'pull_request'")
    assert.equal(retrain.if, "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'")
    assert.deepEqual(workflow.permissions, {contents: 'read', actions: 'read'})
  })

  it('gate: Node 20, OpenBLAS, npm ci, then check --junit against promoted, JUnit published', () => {
    const node = gate.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))
    assert.equal(node?.with?.['node-version'], 20)
    const scripts = runs(gate).join('\n')
    assert.match(scripts, /apt-get install -y libopenblas0-pthread\n\s*npm ci/)
    assert.match(scripts, /npx lrgate check --candidate "\$CANDIDATE" --baseline promoted --junit lrgate-junit\.xml/)
    const publish = gate.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))
    assert.equal(publish?.with?.path, 'lrgate-junit.xml')
    assert.equal(publish?.if, 'always()')
  })

  it('retrain: sweep on the new data, check against promoted, promote only on pass, database kept', () => {
    const step = (id: string) => retrain.steps.find((s) => s.id === id)!
    assert.match(step('sweep').run!, /npx lrgate sweep \$\{TRAIN_DATA:\+--train "\$TRAIN_DATA"\} --name "weekly-/)
    assert.match(step('check').run!, /npx lrgate check --candidate recommended --baseline "\$baseline" --junit lrgate-junit\.xml/)
    assert.match(step('check').run!, /baseline=promoted/)
    assert.equal(step('promote').if, "steps.check.outcome == 'success'")
    assert.match(step('promote').run!, /npx lrgate baseline promote recommended/)
    const order = ['restore', 'sweep', 'check', 'promote'].map((id) => retrain.steps.indexOf(step(id)))
    assert.deepEqual([...order].sort((a, b) => a - b), order)
    const save = retrain.steps.find((s) => s.with?.name === 'lrgate-state')!
    assert.equal(save.if, "always() && steps.restore.outcome == 'success'")
    assert.equal(save.with?.path, '.lrgate/')
    assert.equal(save.with?.['include-hidden-files'], true)
    assert.match(step('restore').run!, /gh run download "\$id" --name lrgate-state/)
    const prune = retrain.steps[retrain.steps.indexOf(save) - 1]
    assert.equal(prune.run, 'npx lrgate runs prune')
    assert.match(workflowYaml(), /An artifact, not actions\/cache/)
  })

  it('uses only official actions, refers only to steps that exist, and its scripts are valid bash', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const s of job.steps) if (s.uses !== undefined) assert.match(s.uses, /^actions\/[a-z-]+@v\d+$/, `${name}: ${s.uses}`)
      const ids = new Set(job.steps.map((s) => s.id).filter((id) => id !== undefined))
      const refs = JSON.stringify(job).matchAll(/steps\.([a-z_-]+)\./g)
      for (const [, id] of refs) assert.ok(ids.has(id), `${name} refers to a step "${id}" it does not have`)
      for (const script of runs(job)) {
        const r = spawnSync('bash', ['-n'], {input: script.replace(/\$\{\{[^}]*\}\}/g, 'X'), encoding: 'utf8'})
        assert.equal(r.status, 0, `${name}: ${r.stderr}\n${script}`)
      }
    }
    assert.doesNotMatch(workflowYaml(), /undefined|\$\{(?!\{|TRAIN_DATA)/)
  })

  it('every lrgate command it runs exists with the flags it passes', async () => {
    const calls = Object.values(workflow.jobs).flatMap((job) => runs(job).flatMap(lrgateCalls))
    assert.deepEqual([...new Set(calls.map((c) => c.command.join(' ')))].sort(), ['baseline promote recommended', 'check', 'eval', 'report latest', 'runs list', 'runs prune', 'sweep'])
    for (const call of calls) {
      const [topic, sub] = call.command
      const file = ['baseline', 'runs'].includes(topic) ? `src/commands/${topic}/${sub}.ts` : `src/commands/${topic}.ts`
      const command = (await import(join(ROOT, file))).default as {flags: Record<string, unknown>; baseFlags: Record<string, unknown>}
      for (const flag of call.flags) assert.ok(flag in command.flags || flag in command.baseFlags, `lrgate ${call.command.join(' ')} has no --${flag}`)
    }
  })
})

describe('lrgate init: where CI installs lrgate from', () => {
  it('--install-from: npm install -g from there, then plain lrgate; no npm project needed', () => {
    const yaml = workflowYaml({kind: 'global', source: './vendor/lrgate-0.1.0.tgz'})
    const workflow = parse(yaml) as Workflow
    for (const job of Object.values(workflow.jobs)) {
      const scripts = runs(job).join('\n')
      assert.match(scripts, /apt-get install -y libopenblas0-pthread\n(?:\s*#.*\n)?\s*npm install -g \.\/vendor\/lrgate-0\.1\.0\.tgz/)
      assert.doesNotMatch(scripts, /npx|npm ci/)
      const node = job.steps.find((st) => st.uses?.startsWith('actions/setup-node@'))
      assert.equal(node?.with?.cache, undefined, 'no package-lock.json to cache by')
    }
    assert.match(yaml, /this repository need not be an npm project/)
  })

  it('a tarball path becomes relative to the project; outside it, a missing file or no source at all is an error saying what to give', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-init-from-'))
    writeFileSync(join(dir, 'lrgate-0.1.0.tgz'), 'a tarball')
    assert.deepEqual(lrgateInstall(dir, 'lrgate-0.1.0.tgz', dir), {kind: 'global', source: './lrgate-0.1.0.tgz'})
    assert.deepEqual(lrgateInstall(dir, 'git@github.com:you/lrgate.git', dir), {kind: 'global', source: 'git@github.com:you/lrgate.git'})
    assert.deepEqual(lrgateInstall(dir, 'https://example.com/lrgate-0.1.0.tgz', dir), {kind: 'global', source: 'https://example.com/lrgate-0.1.0.tgz'})
    const outside = mkdtempSync(join(tmpdir(), 'lrgate-init-elsewhere-'))
    writeFileSync(join(outside, 'lrgate-0.1.0.tgz'), 'a tarball')
    assert.match(messageOf(() => lrgateInstall(dir, join(outside, 'lrgate-0.1.0.tgz'), dir)), /is outside .*CI sees only what the repository holds; copy the tarball into it/)
    assert.match(messageOf(() => lrgateInstall(dir, 'nope.tgz', dir)), /--install-from nope\.tgz: no such file/)
    assert.match(messageOf(() => lrgateInstall(dir, undefined, dir)), /lrgate is not on the npm registry .* lrgate init --install-from <tarball path or URL, or git URL>/)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({devDependencies: {lrgate: 'file:../lrgate'}}))
    assert.deepEqual(lrgateInstall(dir, undefined, dir), {kind: 'dependency'})
  })
})

describe('lrgate init (files and CLI)', () => {
  before(() => buildIfStale())

  it('initProject writes both files; refuses to overwrite without force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrgate-init-'))
    writeFileSync(join(dir, 'lrgate-0.1.0.tgz'), 'a tarball')
    const {written} = initProject({dir, installFrom: join(dir, 'lrgate-0.1.0.tgz')})
    assert.deepEqual(written, [join(dir, 'lrgate.config.yaml'), join(dir, WORKFLOW_FILE)])
    assert.equal(readFileSync(written[1], 'utf8'), workflowYaml({kind: 'global', source: './lrgate-0.1.0.tgz'}))
    writeFileSync(written[0], 'seed: 7\n')
    assert.throws(() => initProject({dir, installFrom: 'https://example.com/lrgate-0.1.0.tgz'}), /lrgate\.config\.yaml and .*lrgate\.yml already exist; nothing was written/)
    assert.equal(readFileSync(written[0], 'utf8'), 'seed: 7\n')
    initProject({dir, force: true, installFrom: 'https://example.com/lrgate-0.1.0.tgz'})
    assert.equal(readFileSync(written[0], 'utf8'), starterConfigYaml())
  })

  it('CLI: --json lists the files, a second init exits 2 leaving them untouched, --force overwrites', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lrgate-init-cli-'))
    const first = lrgate(['init', '--dir', 'project', '--json', '--install-from', 'git+https://example.com/lrgate.git'], {cwd})
    assert.equal(first.status, 0, first.stderr)
    const config = join(cwd, 'project', 'lrgate.config.yaml')
    const workflow = join(cwd, 'project', WORKFLOW_FILE)
    assert.deepEqual(JSON.parse(first.stdout), {schemaVersion: 1, written: [config, workflow]})
    writeFileSync(workflow, 'name: mine\n')
    const again = lrgate(['init', '--dir', 'project', '--install-from', 'git+https://example.com/lrgate.git'], {cwd})
    assert.equal(again.status, 2)
    assert.equal(again.stdout, '')
    assert.match(again.stderr, /^lrgate: .*project\/lrgate\.config\.yaml and .*project\/\.github\/workflows\/lrgate\.yml already exist; nothing was written — run "lrgate init --force" to overwrite\.\n$/)
    assert.equal(readFileSync(workflow, 'utf8'), 'name: mine\n')
    const forced = lrgate(['init', '--dir', 'project', '--force', '--install-from', 'git+https://example.com/lrgate.git'], {cwd})
    assert.equal(forced.status, 0, forced.stderr)
    assert.match(forced.stdout, /^wrote .*lrgate\.config\.yaml\nwrote .*lrgate\.yml\n\nNext steps:\n {2}1\. Edit lrgate\.config\.yaml/)
    assert.equal(readFileSync(workflow, 'utf8'), workflowYaml({kind: 'global', source: 'git+https://example.com/lrgate.git'}))
    // The config it wrote is the one lrgate then runs with: check reads it first, then finds no database.
    const check = lrgate(['check', '--candidate', 'x', '--db', 'lrgate.db'], {cwd: join(cwd, 'project')})
    assert.equal(check.status, 2)
    assert.match(check.stderr, /lrgate\.db: no database there/)
    assert.ok(existsSync(config))
  })
})
