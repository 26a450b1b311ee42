import {FAIL_RATE_METRIC} from '../../evaluators/names.js'
import type {EvaluatorSpec, GateRule} from '../config/eval-schema.js'

/**
 * The comment above every key of the starter config, by dotted path. Generating the file walks the
 * defaults and refuses a key without a comment here, so a new default cannot ship undocumented.
 */
export const KEY_COMMENTS: Record<string, string> = {
  seed: 'Seed of every random choice (data order, sampling, bootstrap resamples): the same seed gives the same numbers.',
  backend:
    'Compute backend: auto (tfjs-node if it loads, else the cpu backend with native OpenBLAS kernels, else plain cpu), tensorflow, native or cpu. --backend and LRGATE_BACKEND override it.',
  baseModel: 'The model to fine-tune: a model folder, or "example" for the shipped example base model.',
  datasets: 'Dataset versions: name@version (shipped under datasets/) or a folder holding manifest.json and JSONL files.',
  'datasets.train': 'What the sweep fine-tunes on. A weekly retrain points this (or "lrgate sweep --train") at the new data version.',
  'datasets.eval': 'What the base model and every candidate are scored and gated on; gate rules match its cohorts (target:*, ood:*).',
  'datasets.replay': 'General text mixed into fine-tune batches when sweep.replay is above 0 (rehearsal); default the pretraining set of the example base model.',
  sweep: '"lrgate sweep": fine-tune the base model once per learning rate, evaluate, gate and recommend one.',
  'sweep.lrs': 'Candidate base learning rates, one fine-tune each (--lr 5e-5,1e-4 overrides).',
  'sweep.methods': 'Fine-tune methods, each a full grid of candidates: full (every weight) and/or lora, or {type: lora, rank: 8, alpha: 16, targets: [attn, mlp], dropout: 0} (--method full,lora).',
  'sweep.replay': 'Replay shares: each candidate trains once per share, that part of every batch drawn from datasets.replay (--replay 0,0.25).',
  'sweep.interpolate': 'WiSE-FT: for each alpha below 1 also evaluate base + alpha x (tuned - base) as its own candidate, without training (--interpolate 1,0.5).',
  'sweep.objective': 'What the recommendation must improve on the model it would replace (base, or gate.baseline such as promoted): its paired interval wholly on the better side of zero, else "keep" and --gate exits 1.',
  'sweep.objective.metric': 'A metric of eval.evaluators (perplexity: lower is better), or failRate.',
  'sweep.seeds': 'Fine-tunes per configuration, seed, seed+1, ... (--seeds N).',
  'sweep.steps': 'Optimizer steps per candidate, warmup included (or replace this line with epochs: N, passes over the training data).',
  'sweep.batchSize': 'Sequences per optimizer step.',
  'sweep.parallel': 'Candidates trained at once in worker processes: auto (one per CPU core, up to the number of candidates) or a number.',
  'sweep.schedule':
    'The learning-rate schedule of every candidate; lr and steps come from the sweep. Keys are the "lrgate schedule" flags in camelCase (PyTorch names): see "lrgate schedule --help". Replaces the default whole.',
  'sweep.schedule.type': 'constant, linear, cosine, cosine-restarts, step, multistep, exponential, polynomial, inverse-sqrt, one-cycle or wsd. cosine decays to minLr (default 0) at the last step.',
  'sweep.schedule.warmupRatio': 'Linear warmup over ceil(ratio x steps) steps from warmupStartLr (default 0) up to the base rate; or warmupSteps: N.',
  'sweep.optimizer': 'The optimizer of the fine-tune.',
  'sweep.optimizer.type': 'adamw (decoupled weight decay, as torch.optim.AdamW) or sgd.',
  'sweep.optimizer.weightDecay': 'Decoupled weight decay: each step shrinks the weights by lr x weightDecay.',
  'sweep.optimizer.beta1': 'AdamW decay rate of the gradient mean.',
  'sweep.optimizer.beta2': 'AdamW decay rate of the squared-gradient mean.',
  'sweep.optimizer.eps': "Added to AdamW's denominator for numerical stability.",
  'sweep.optimizer.momentum': 'SGD momentum (read only when type is sgd).',
  'sweep.clipNorm': 'Clip the gradients to this global L2 norm before each step; 0 turns clipping off.',
  'sweep.valEvery': 'Compute the validation loss every N optimizer steps.',
  'sweep.checkpointEvery': 'Checkpoint every N steps, so "lrgate sweep --resume <run>" continues a killed sweep from there.',
  'sweep.divergence': 'A candidate whose loss blows up is stopped and marked diverged instead of wasting its remaining steps.',
  'sweep.divergence.rtol': 'Diverged when a loss is at least rtol times its running mean (and not improving).',
  'sweep.divergence.window': 'Steps in that running mean.',
  'sweep.divergence.atol': 'A spike must also be at least this many nats above the running mean, so noise around a small loss is no spike.',
  'sweep.divergence.patience': 'Consecutive spiking steps that make a divergence (one bad batch does not); a non-finite loss diverges at once.',
  'sweep.earlyStopping':
    'Successive halving of hopeless candidates: at rungs of minSteps x eta^k steps, a candidate whose projected out-of-domain forgetting already fails the gate, or whose target validation loss is outside the best 1/eta, stops there.',
  'sweep.earlyStopping.enabled': 'true, false, or auto (on for sweeps of autoFrom or more learning rates, where halving saves more than its rung barriers cost).',
  'sweep.earlyStopping.autoFrom': 'The number of learning rates from which auto turns early stopping on.',
  'sweep.earlyStopping.minSteps': 'Steps of the first rung.',
  'sweep.earlyStopping.eta': 'Rungs are eta times apart; at each one the best 1/eta of the candidates go on.',
  'sweep.earlyStopping.probeRecords': 'Out-of-domain eval records scored at every rung to measure forgetting.',
  eval: 'Evaluation ("lrgate eval" and the sweep): evaluators per record, generation, per-cohort confidence intervals.',
  'eval.evaluators':
    'Evaluators run on every record: relevance (ROUGE-L F1 against the reference), hallucination (share of content words found in none of input, context and reference; a lexical proxy), perplexity, json-valid, exact-match, contains, regex, or {path: ./my-evaluator.js}. With a threshold, a record on the wrong side of it fails (the fail rate per cohort).',
  'eval.generation': 'How a model folder generates its outputs (lrgate eval --model, and the sweep).',
  'eval.generation.maxTokens': 'At most this many tokens generated per record.',
  'eval.generation.temperature': '0 decodes greedily (deterministic); higher values sample.',
  'eval.generation.topK': 'Sample only from the k most likely tokens; 0 means no limit.',
  'eval.generation.stop': 'Generation stops at any of these strings (default: the end of the line).',
  'eval.generation.batchSize': 'Records generated at once.',
  'eval.resamples': "Bootstrap resamples behind each cohort's confidence interval.",
  'eval.confidence': 'Confidence level of those intervals.',
  'eval.endpoint': 'lrgate eval --endpoint <url>: a model behind an OpenAI-compatible server (README, "Served models").',
  'eval.endpoint.apiKeyEnv': 'Environment variable holding the API key (sent as a bearer token; never stored or printed).',
  'eval.endpoint.concurrency': 'Requests in flight at once.',
  'eval.endpoint.timeoutSeconds': 'Seconds one request may take before it is retried.',
  'eval.endpoint.maxRetries': 'Retries on 429, 5xx and connection errors (exponential backoff with jitter; Retry-After honoured).',
  'eval.endpoint.api': 'completions, or chat for generation through /v1/chat/completions (perplexity always needs completions).',
  gate: '"lrgate check": the rules a candidate must pass against its baseline (exit 0 pass, 1 regression, 2 error).',
  'gate.baseline':
    'What --baseline defaults to: base (the latest sweep\'s base model), promoted (the latest "lrgate baseline promote"), recommended, a label or an evaluation id.',
  'gate.confidence': 'Family-wise: when every true delta is within its limit, the check fails with probability at most 1 - confidence, over all its rule x cohort rows (Holm-adjusted one-sided tests).',
  'gate.resamples': 'Paired bootstrap resamples (record ids drawn with replacement, seeded by seed).',
  'gate.rules':
    'Each rule applies to every cohort its cohorts glob matches (default all): maxDrop L means delta >= -L, maxRise L means delta <= L, minGain G means delta >= G, where delta = candidate - baseline; relative: true reads the limit as a fraction of the baseline.',
}

// Metrics whose records fail above their threshold (for the others, below it).
const FAILS_ABOVE = new Set(['hallucination', 'perplexity', 'bitsPerByte'])

/** The comment above one default evaluator, from its values (so it cannot drift from them). */
export function evaluatorComment(spec: EvaluatorSpec): string {
  const name = typeof spec === 'string' ? spec : (spec.name ?? spec.path ?? 'evaluator')
  const threshold = typeof spec === 'string' ? undefined : spec.threshold
  if (threshold === undefined) return `${name}: scored and aggregated per cohort; no threshold, so it never fails a record.`
  return `${name}: a record fails when its score is ${FAILS_ABOVE.has(name) ? 'above' : 'below'} ${threshold}.`
}

/** The comment above one default gate rule, from its values. */
export function ruleComment(rule: GateRule): string {
  const cohorts = rule.cohorts === undefined || rule.cohorts === '*' ? 'every cohort' : `cohorts ${rule.cohorts}`
  const metric = rule.metric === FAIL_RATE_METRIC ? 'the fail rate' : rule.metric
  const pct = (v: number) => Number((v * 100).toPrecision(12))
  const amount = (v: number) => (rule.relative ? `${pct(v)}% of the baseline` : rule.metric === FAIL_RATE_METRIC ? `${pct(v)} points` : String(v))
  if (rule.maxDrop !== undefined) return `On ${cohorts}, ${metric} may drop by at most ${amount(rule.maxDrop)}.`
  if (rule.maxRise !== undefined) return `On ${cohorts}, ${metric} may rise by at most ${amount(rule.maxRise)}.`
  const gain = rule.minGain ?? 0
  return gain === 0 ? `On ${cohorts}, ${metric} must not get worse.` : `On ${cohorts}, ${metric} must gain at least ${amount(gain)}.`
}
