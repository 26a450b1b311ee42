/**
 * Defaults of the schedule parameters. Where PyTorch has the argument its default is kept, except
 * the lengths (`tMax`, `totalIters`), which default to the steps after warmup, and LinearLR's
 * factors, which default to a decay (1 → 0, Hugging Face's "linear") rather than PyTorch's 1/3 → 1
 * ramp, because a fine-tune wants a decay when it asks for "linear".
 */
export const SCHEDULE_DEFAULTS = {
  gamma: 0.1,
  minLr: 0,
  tMult: 1,
  pctStart: 0.3,
  divFactor: 25,
  finalDivFactor: 1e4,
  anneal: 'cos',
  power: 1,
  startFactor: 1,
  endFactor: 0,
  // Hugging Face's inverse_sqrt uses the warmup length as timescale, or 10,000 without warmup.
  timescaleWithoutWarmup: 10_000,
  // The decay share of warmup-stable-decay (Hägele et al. 2024 decay the last 20%); HF's default shape.
  decayRatio: 0.2,
  decayShape: 'cosine',
  warmupStartLr: 0,
} as const
