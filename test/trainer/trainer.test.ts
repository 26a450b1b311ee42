import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {ROOT} from '../fixtures/eval/cli.js'
import {messageOf} from '../fixtures/input-error.js'
import {maskSecrets} from '../../src/process/index.js'
import {parseStepLine} from '../../src/trainer/step-log.js'
import {readTrainerState} from '../../src/trainer/trainer-state.js'
import {checkTemplate, placeholdersOf, renderTemplate, shellQuote, TRAINER_PLACEHOLDERS} from '../../src/trainer/template.js'
import {LrCheck} from '../../src/trainer/lr-check.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'trainer-state')
const fixture = (name: string) => readTrainerState(JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')), name)!

describe('trainer command templates', () => {
  it('shell-quotes every value, keeps {{ }} as braces, and refuses unknown placeholders', () => {
    assert.equal(shellQuote("it's $HOME; rm -rf /"), `'it'\\''s $HOME; rm -rf /'`)
    const template = 'train --lr {lr} --out {output_dir} --resume {resume_from} --json {{"a": 1}}'
    assert.deepEqual(placeholdersOf(template), ['lr', 'output_dir', 'resume_from'])
    assert.equal(renderTemplate(template, {lr: '0.0001', output_dir: '/tmp/my dir', resume_from: ''}), `train --lr '0.0001' --out '/tmp/my dir' --resume '' --json {"a": 1}`)
    checkTemplate(template, TRAINER_PLACEHOLDERS, '--trainer')
    assert.match(messageOf(() => checkTemplate('train --model {model_dir}', TRAINER_PLACEHOLDERS, '--trainer')), /^--trainer: unknown placeholder \{model_dir\}; the placeholders are \{lr\} .*\{resume_from\}/)
  })
})

describe('the JSON-line step log', () => {
  it('reads step lines, Python NaN included, and leaves every other line alone', () => {
    assert.deepEqual(parseStepLine('{"step": 3, "loss": 2.5, "lr": 0.0001, "grad_norm": 0.7, "val_loss": 2.6, "seconds": 0.4}'), {step: 3, loss: 2.5, lr: 0.0001, gradNorm: 0.7, valLoss: 2.6})
    assert.deepEqual(parseStepLine('  {"loss": 1, "step": 0}  '), {step: 0, loss: 1, lr: null, gradNorm: null, valLoss: null})
    assert.ok(Number.isNaN(parseStepLine('{"step": 9, "loss": NaN, "lr": 1e-3}')!.loss))
    assert.equal(parseStepLine('{"step": 9, "loss": Infinity}')!.loss, Number.POSITIVE_INFINITY)
    for (const junk of ['step 3 loss 2.5', '{"step": "3", "loss": 2.5}', '{"step": 3}', '{"epoch": 1, "loss": 2}', "{'loss': 2.1, 'step': 3}", '{"step": 1.5, "loss": 2}', '[1, 2]', '{"step": 3, "loss": 2.5']) {
      assert.equal(parseStepLine(junk), null, junk)
    }
  })
})

describe("Hugging Face trainer_state.json (real files, test/fixtures/trainer-state/README.md)", () => {
  it('reads training entries, attaches eval-only entries and recognises the final summary', () => {
    const s = fixture('summary-entry.json')
    assert.equal(s.globalStep, 120)
    assert.equal(s.steps.length, 24, 'one row per training entry (logging_steps 5 over 120 steps)')
    assert.deepEqual(s.steps[0], {step: 4, loss: 1.2847743034362793, lr: 6.666666666666667e-6, lrStep: 5, gradNorm: 33.36528015136719, valLoss: null})
    // eval_loss at step 20 belongs to the training entry of the same step
    assert.equal(s.steps[3].step, 19)
    assert.equal(s.steps[3].valLoss, 0.10790343582630157)
    assert.equal(s.steps.filter((x) => x.valLoss !== null).length, 6)
    // The summary has train_loss (an average over the run), not loss: it is no step.
    assert.deepEqual(s.summary, {trainLoss: 0.11913943774998188, runtimeSeconds: 80.2776})
    assert.equal(s.steps.at(-1)!.loss, 0.02474079728126526)
  })

  it('attaches an eval entry at a step without a training entry to the latest one before it', () => {
    const s = fixture('eval-only-entries.json')
    assert.equal(s.steps.length, 18)
    assert.equal(s.summary, null)
    // eval at global step 125 (epoch 1) → the training entry at step 120
    const at120 = s.steps.find((x) => x.step === 119)!
    assert.equal(at120.valLoss, 0.3951033353805542)
    assert.equal(s.steps.find((x) => x.step === 359)!.valLoss, 0.3891691565513611, 'the last eval (step 375) after the last log (360)')
    assert.equal(s.unattachedEvals, 0)
  })

  it('an empty log_history is no steps, not an error', () => {
    const s = fixture('empty-log-history.json')
    assert.deepEqual({globalStep: s.globalStep, steps: s.steps, summary: s.summary}, {globalStep: 1, steps: [], summary: null})
    assert.equal(readTrainerState({global_step: 3}, 'x'), null, 'no log_history: not a trainer_state.json')
  })
})

describe('secrets and the lr check', () => {
  it('masks values of secret-looking variables, not short or ordinary ones', () => {
    const env = {HF_TOKEN: 'hf_abcdef123', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI', DB_PASSWORD: 'pw', PATH: '/usr/bin', MY_CREDENTIALS_FILE: '/root/.creds'}
    // the masking the trainer's log goes through (src/process/env.ts)
    assert.equal(maskSecrets('token hf_abcdef123 and wJalrXUtnFEMI in /usr/bin, pw /root/.creds', env), 'token *** and *** in /usr/bin, pw ***')
  })

  it('warns once when a reported lr differs from lr_schedule by more than 1e-6 relative', () => {
    const check = new LrCheck([0, 1e-3, 5e-4])
    assert.equal(check.check({step: 0, loss: 1, lr: 0, lrStep: 0, gradNorm: null, valLoss: null}), null)
    assert.equal(check.check({step: 1, loss: 1, lr: 1e-3 * (1 + 5e-7), lrStep: 1, gradNorm: null, valLoss: null}), null)
    assert.match(check.check({step: 2, loss: 1, lr: 1e-3, lrStep: 2, gradNorm: null, valLoss: null})!, /at 1 of 3 logged steps; first at step 2: reported 0.001, lr_schedule 0.0005/)
    assert.equal(check.check({step: 3, loss: 1, lr: 9, lrStep: 3, gradNorm: null, valLoss: null}), null, 'past the schedule: nothing to compare')
    assert.match(check.summary()!, /at 1 of 3 logged steps/)
  })
})
