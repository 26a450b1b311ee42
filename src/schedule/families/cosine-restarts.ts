import {SCHEDULE_DEFAULTS} from '../defaults.js'
import type {ScheduleFamily} from '../family.js'
import {resolveMinLr} from './cosine.js'

export interface CosineRestartsParams {
  t0: number
  tMult: number
  minLr: number
}

/**
 * PyTorch CosineAnnealingWarmRestarts: the cosine with T_cur counted since the last restart;
 * cycle i lasts t0·tMult^i. Cycles are walked in integers, so boundaries are exact.
 *
 * @example cosineRestartsLr(1, 10, {t0: 10, tMult: 1, minLr: 0}) // 1 (a restart)
 */
export function cosineRestartsLr(base: number, t: number, p: CosineRestartsParams): number {
  // 1) find the cycle holding t: it starts at `start` and lasts `length` steps
  //    (with tMult 1 every cycle lasts t0; otherwise lengths grow, so the loop is logarithmic)
  let start = p.tMult === 1 ? Math.floor(t / p.t0) * p.t0 : 0
  let length = p.t0
  while (t >= start + length) {
    start += length
    length *= p.tMult
  }
  // 2) cosine from base to min over that cycle
  const tCur = t - start
  return p.minLr + ((base - p.minLr) * (1 + Math.cos((Math.PI * tCur) / length))) / 2
}

export const cosineRestartsFamily: ScheduleFamily = {
  keys: ['t0', 'tMult', 'minLr'],
  build(ctx) {
    const p: CosineRestartsParams = {
      t0: ctx.check.need(ctx.spec.t0, 't0', 'cosine-restarts', 'the length of the first cycle in steps'),
      tMult: ctx.spec.tMult ?? SCHEDULE_DEFAULTS.tMult,
      minLr: resolveMinLr(ctx),
    }
    return {params: {...p}, lrAt: (s) => cosineRestartsLr(ctx.lr, s, p)}
  },
}
