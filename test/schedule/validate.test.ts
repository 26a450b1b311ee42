import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {validateSchedule} from '../../src/schedule/build.js'
import {configKeyNamer} from '../../src/schedule/check.js'
import {scheduleSpecFromFlags, sweepScheduleFallback} from '../../src/schedule/from-flags.js'
import {DEFAULT_CONFIG} from '../../src/config/defaults.js'
import type {ScheduleSpec} from '../../src/schedule/spec.js'
import {messageOf} from '../fixtures/input-error.js'


const run = {lr: 0.1, steps: 100}

describe('validateSchedule names the flag at fault', () => {
  const cases: [string, Record<string, unknown>, Partial<typeof run> | undefined, RegExp][] = [
    ['gamma ≤ 0', {type: 'step', stepSize: 10, gamma: 0}, run, /^--gamma must be > 0 \(got 0\)\.$/],
    ['negative steps', {type: 'constant'}, {lr: 0.1, steps: -5}, /^--steps must be an integer ≥ 1/],
    ['NaN lr', {type: 'constant'}, {lr: Number.NaN, steps: 10}, /^--lr must be a finite number/],
    ['Infinity min lr', {type: 'cosine', minLr: Infinity}, run, /^--min-lr must be a finite number/],
    ['no lr', {type: 'constant', steps: 10}, undefined, /^--lr is required/],
    ['no steps', {type: 'constant', lr: 1}, undefined, /^--steps is required/],
    ['step without step size', {type: 'step'}, run, /^--type step needs --step-size/],
    ['exponential without gamma', {type: 'exponential'}, run, /^--type exponential needs --gamma/],
    ['cosine-restarts without t0', {type: 'cosine-restarts'}, run, /^--type cosine-restarts needs --t0/],
    ['multistep without milestones', {type: 'multistep'}, run, /^--type multistep needs --milestones/],
    ['unsorted milestones', {type: 'multistep', milestones: [30, 20]}, run, /^--milestones must be strictly increasing \(got 30,20\)/],
    ['repeated milestones', {type: 'multistep', milestones: [20, 20]}, run, /^--milestones must be strictly increasing/],
    ['milestone past the run', {type: 'multistep', milestones: [10, 100]}, run, /^--milestones 100 is past the last step 99/],
    ['milestone past the run after warmup', {type: 'multistep', milestones: [95], warmupSteps: 10}, run, /^--milestones 95 is past the last step 89 \(milestones count from the end of the 10 warmup steps\)/],
    ['negative milestone', {type: 'multistep', milestones: [-1]}, run, /^--milestones must be an integer ≥ 0/],
    ['empty milestones', {type: 'multistep', milestones: []}, run, /^--milestones needs at least one step/],
    ['warmup = steps', {type: 'cosine', warmupSteps: 100}, run, /^--warmup-steps must be less than --steps \(got 100 of 100\)/],
    ['warmup ratio leaves nothing', {type: 'cosine', warmupRatio: 0.995}, run, /^--warmup-ratio 0.995 gives 100 warmup steps of 100/],
    ['warmup ratio ≥ 1', {type: 'cosine', warmupRatio: 1}, run, /^--warmup-ratio must be in \[0, 1\)/],
    ['warmup start above lr', {type: 'cosine', warmupSteps: 5, warmupStartLr: 0.2}, run, /^--warmup-start-lr must not exceed --lr/],
    ['warmup start without warmup', {type: 'cosine', warmupStartLr: 0.01}, run, /^--warmup-start-lr needs --warmup-steps or --warmup-ratio/],
    ['pctStart 0', {type: 'one-cycle', pctStart: 0}, run, /^--pct-start must be in \(0, 1\) \(got 0\)/],
    ['pctStart 1', {type: 'one-cycle', pctStart: 1}, run, /^--pct-start must be in \(0, 1\)/],
    ['min lr above lr', {type: 'cosine', minLr: 0.5}, run, /^--min-lr must not exceed --lr \(got 0.5 > 0.1\)/],
    ['start factor 0', {type: 'linear', startFactor: 0}, run, /^--start-factor must be in \(0, 1\]/],
    ['non-integer step size', {type: 'step', stepSize: 2.5}, run, /^--step-size must be an integer ≥ 1/],
    ['tMult 0', {type: 'cosine-restarts', t0: 5, tMult: 0}, run, /^--t-mult must be an integer ≥ 1/],
    ['decay longer than the run', {type: 'wsd', decaySteps: 95, warmupSteps: 10}, run, /^--decay-steps 95 is more than the 90 steps after warmup/],
    ['a key of another type', {type: 'cosine', stepSize: 3}, run, /^--step-size does not apply to --type cosine \(it is read by step\)/],
    ['minLr on step', {type: 'step', stepSize: 3, minLr: 0}, run, /^--min-lr does not apply to --type step \(it is read by cosine, cosine-restarts, polynomial, wsd, plateau\)/],
    ['unknown type', {type: 'triangle'}, run, /^--type must be one of constant, linear/],
    ['unknown key', {type: 'cosine', etaMin: 0}, run, /unknown key "etaMin"/],
  ]
  for (const [name, spec, r, pattern] of cases) {
    it(name, () => assert.match(messageOf(() => validateSchedule(spec as ScheduleSpec, r)), pattern))
  }

  it('names config keys when asked', () => {
    const name = configKeyNamer('sweep.schedule')
    assert.equal(
      messageOf(() => validateSchedule({type: 'step', stepSize: 3, gamma: -1}, run, {name})),
      'sweep.schedule.gamma must be > 0 (got -1).',
    )
    assert.match(messageOf(() => validateSchedule({type: 'step'}, run, {name})), /^sweep.schedule.type step needs sweep.schedule.stepSize/)
  })
})

describe('scheduleSpecFromFlags', () => {
  it('parses numbers, lists and choices from flag strings', () => {
    const {spec, source} = scheduleSpecFromFlags({type: 'multistep', lr: '1e-3', steps: '300', milestones: '100,200', gamma: '0.5', json: true})
    assert.deepEqual(spec, {type: 'multistep', lr: 1e-3, steps: 300, milestones: [100, 200], gamma: 0.5})
    assert.equal(source, 'flags')
  })

  it('reports the flag and what was typed', () => {
    assert.equal(messageOf(() => scheduleSpecFromFlags({type: 'step', gamma: 'abc'})), '--gamma must be a finite number (got "abc").')
    assert.equal(messageOf(() => scheduleSpecFromFlags({type: 'step', steps: ''})), '--steps must be a finite number (got "").')
    assert.equal(messageOf(() => scheduleSpecFromFlags({type: 'cosine', 'warmup-steps': '-3'})), '--warmup-steps must be an integer ≥ 0 (got "-3").')
    assert.equal(
      messageOf(() => scheduleSpecFromFlags({type: 'multistep', milestones: '5,x'})),
      '--milestones item 2 must be a finite number (got "5,x").',
    )
    assert.match(messageOf(() => scheduleSpecFromFlags({})), /^--type is required/)
  })

  it('without --type starts from the sweep schedule, and flags override it', () => {
    const fallback = sweepScheduleFallback(DEFAULT_CONFIG, null)
    const {spec, source} = scheduleSpecFromFlags({'warmup-steps': '5', steps: '50'}, fallback)
    assert.deepEqual(spec, {type: 'cosine', warmupRatio: 0.1, warmupSteps: 5, lr: DEFAULT_CONFIG.sweep.lrs[0], steps: 50})
    assert.match(source, /default sweep.schedule/)
    // with --type the config is not used
    assert.deepEqual(scheduleSpecFromFlags({type: 'constant'}, fallback).spec, {type: 'constant'})
  })
})
