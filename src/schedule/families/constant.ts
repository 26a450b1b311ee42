import type {ScheduleFamily} from '../family.js'

/** The base rate at every step (nanoGPT's fine-tune config; with warmup, HF's constant_with_warmup). */
export const constantFamily: ScheduleFamily = {
  keys: [],
  build: (ctx) => ({params: {}, lrAt: () => ctx.lr}),
}
