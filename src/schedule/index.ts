/**
 * Learning-rate schedules: pure functions of the 0-based optimizer step, plus the stateful
 * reduce-on-plateau. The training loop uses `buildSchedule(spec, {lr, steps})`.
 */
export {buildSchedule, type ResolvedSchedule, scheduleValues, type ScheduleRun, validateSchedule, type ValidateOptions} from './build.js'
export {configKeyNamer, flagName, type KeyNamer} from './check.js'
export {SCHEDULE_DEFAULTS} from './defaults.js'
export {compactLr, describeSchedule, formatLr} from './describe.js'
export {PLATEAU_DEFAULTS, type PlateauOptions, PlateauSchedule, plateauSpecSchema} from './plateau.js'
export {SCHEDULE_TYPES, type ScheduleSpec, scheduleSpecSchema, type ScheduleType} from './spec.js'
export {adaptiveSchedule, type AdaptiveSchedule, type StepObservation} from './adaptive.js'
