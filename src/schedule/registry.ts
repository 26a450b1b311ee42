import type {ScheduleFamily} from './family.js'
import {constantFamily} from './families/constant.js'
import {cosineRestartsFamily} from './families/cosine-restarts.js'
import {cosineFamily} from './families/cosine.js'
import {exponentialFamily} from './families/exponential.js'
import {inverseSqrtFamily} from './families/inverse-sqrt.js'
import {learnedFamily} from './families/learned.js'
import {linearFamily} from './families/linear.js'
import {multistepFamily} from './families/multistep.js'
import {oneCycleFamily} from './families/one-cycle.js'
import {plateauFamily} from './families/plateau.js'
import {polynomialFamily} from './families/polynomial.js'
import {stepFamily} from './families/step.js'
import {wsdFamily} from './families/wsd.js'
import type {ScheduleParamKey, ScheduleType} from './spec.js'

/** Every schedule type and its family; a type without one is a compile error. */
export const SCHEDULE_FAMILIES: {readonly [K in ScheduleType]: ScheduleFamily} = {
  constant: constantFamily,
  linear: linearFamily,
  cosine: cosineFamily,
  'cosine-restarts': cosineRestartsFamily,
  step: stepFamily,
  multistep: multistepFamily,
  exponential: exponentialFamily,
  polynomial: polynomialFamily,
  'inverse-sqrt': inverseSqrtFamily,
  'one-cycle': oneCycleFamily,
  wsd: wsdFamily,
  plateau: plateauFamily,
  learned: learnedFamily,
}

/** Keys every type reads: the run and the warmup that wraps it. */
export const COMMON_KEYS: readonly ScheduleParamKey[] = ['lr', 'steps', 'warmupSteps', 'warmupRatio', 'warmupStartLr']

/** The types that read `key`, for "does not apply" errors. */
export function typesReading(key: ScheduleParamKey): ScheduleType[] {
  return (Object.keys(SCHEDULE_FAMILIES) as ScheduleType[]).filter((type) => SCHEDULE_FAMILIES[type].keys.includes(key))
}
