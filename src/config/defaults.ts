import type {Config} from './schema.js'

/**
 * The answer schema of example-eval@2's ood:json cohort (scripts/datasets/plan-tasks.ts writes the
 * same one into the dataset's manifest as `jsonSchema`).
 */
export const EXAMPLE_JSON_SCHEMA = {
  type: 'object',
  properties: {
    word: {type: 'string', minLength: 1},
    pos: {enum: ['noun', 'verb']},
    category: {type: 'string', pattern: '^[a-z]+$'},
  },
  required: ['word', 'pos', 'category'],
  additionalProperties: false,
}

/**
 * Every default of lrgate, in one place. A config file overrides these key by key
 * (objects merge; lists and `sweep.schedule` replace the default whole).
 */
export const DEFAULT_CONFIG: Config = {
  seed: 1234,
  backend: 'auto',
  // `example` is the shipped base model under models/example-base.
  baseModel: 'example',
  datasets: {
    train: 'food-train@1',
    eval: 'example-eval@2',
    // general text mixed into fine-tune batches when sweep.replay > 0: the example base model's pretraining set
    replay: 'example-pretrain@2',
  },
  sweep: {
    // Calibrated on the shipped example (README, "Why these learning rates").
    lrs: [1e-6, 3e-5, 3e-4, 1e-3],
    // The remedy grid (README, "Forgetting remedies"): full fine-tuning only, unless asked.
    methods: ['full'],
    replay: [0],
    interpolate: [1],
    seeds: 1,
    // The recommendation must lower target perplexity against the model it would replace (base or promoted).
    objective: {metric: 'perplexity'},
    // 60 steps keep the main job near a minute on two cores; the rates above are calibrated for them.
    steps: 60,
    // 8 sequences of the model's context (256 characters for the example)
    batchSize: 8,
    parallel: 'auto',
    schedule: {type: 'cosine', warmupRatio: 0.1},
    optimizer: {type: 'adamw', weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0.9},
    clipNorm: 1,
    valEvery: 25,
    checkpointEvery: 25,
    divergence: {rtol: 2, window: 10, atol: 0.5, patience: 3},
    earlyStopping: {enabled: 'auto', autoFrom: 6, minSteps: 25, eta: 2, probeRecords: 96},
  },
  eval: {
    // example-eval@2: a record fails below 0.5 ROUGE-L or above half its content words unsupported;
    // a JSON answer must satisfy the schema and equal the reference.
    evaluators: [
      {name: 'relevance', threshold: 0.5},
      {name: 'hallucination', threshold: 0.5},
      {name: 'json-valid', cohorts: 'ood:json', threshold: 1, schema: EXAMPLE_JSON_SCHEMA},
      {name: 'exact-match', cohorts: 'ood:json', threshold: 1},
      'perplexity',
    ],
    // 128 new characters: longer than every reference of the shipped eval sets (120 at most).
    generation: {maxTokens: 128, temperature: 0, topK: 0, stop: ['\n'], batchSize: 64},
    resamples: 2000,
    confidence: 0.95,
    // eval --endpoint: OpenAI-compatible servers (README, "Served models")
    endpoint: {apiKeyEnv: 'OPENAI_API_KEY', concurrency: 4, timeoutSeconds: 60, maxRetries: 5, api: 'completions'},
  },
  gate: {
    baseline: 'base',
    confidence: 0.95,
    resamples: 2000,
    rules: [
      {cohorts: 'ood:*', metric: 'relevance', maxDrop: 0.02},
      {cohorts: 'ood:*', metric: 'hallucination', maxRise: 0.02},
      {cohorts: 'ood:json', metric: 'json-valid', maxDrop: 0.02},
      {cohorts: 'ood:brown-*', metric: 'perplexity', maxRise: 0.05, relative: true},
      {cohorts: '*', metric: 'failRate', maxRise: 0.02},
      // Non-inferiority with a margin: "must improve" is the recommendation's job, not the gate's
      // (a zero margin fails equally good models; docs/gate.md, bench/verdicts.ts).
      {cohorts: 'target:*', metric: 'relevance', maxDrop: 0.01},
    ],
  },
}

/** Where `lrgate` keeps its database unless `--db` or LRGATE_DB says otherwise. */
export const DEFAULT_DB = '.lrgate/lrgate.db'

/** Config files looked for in the working directory, in this order. */
export const CONFIG_FILES = ['lrgate.config.yaml', 'lrgate.config.yml', 'lrgate.config.json']
