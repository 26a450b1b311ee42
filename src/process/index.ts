// Process supervision: children in their own process group, always stopped, never outliving
// lrgate, signals turned into one graceful path, secrets kept out of logs. See README.md here.
export {DEFAULT_GRACE_MS, type Exit, forkSupervised, killAllNow, liveChildren, signalGroup, spawnSupervised, stopAll, type Supervised} from './group.js'
export {armLifeline, PARENT_PID_ENV, parentAlive} from './lifeline.js'
export {exitCodeFor, onShutdown, SHUTDOWN_DEADLINE_MS, type Shutdown, type StopSignal} from './shutdown.js'
export {isSecretName, MASK, maskedEnv, maskSecrets, secretValues} from './env.js'
export {testHold} from './test-hold.js'
