/**
 * Schema migrations, applied in order; `PRAGMA user_version` holds how many have run.
 * Never edit a released migration: add a new one. The README documents the resulting schema.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the first schema
  `
  CREATE TABLE datasets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    hash        TEXT NOT NULL,            -- sha256 over the manifest's file hashes
    path        TEXT NOT NULL,            -- where it was read the first time
    records     INTEGER NOT NULL,
    cohorts     TEXT NOT NULL,            -- JSON {"cohort": {"role", "records"}}
    first_used  TEXT NOT NULL,
    UNIQUE (name, version)
  );

  CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('sweep', 'find-lr', 'pretrain')),
    name            TEXT,
    status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
    seed            INTEGER NOT NULL,
    config          TEXT NOT NULL,        -- JSON, the resolved config the run used
    backend         TEXT,
    backend_reason  TEXT,
    base_model      TEXT,
    train_dataset_id INTEGER REFERENCES datasets(id),
    eval_dataset_id  INTEGER REFERENCES datasets(id),
    base_evaluation_id INTEGER REFERENCES evaluations(id),
    recommended_candidate_id INTEGER REFERENCES candidates(id),
    created_at      TEXT NOT NULL,
    finished_at     TEXT
  );

  CREATE TABLE candidates (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    label           TEXT NOT NULL,
    lr              REAL NOT NULL,
    schedule        TEXT NOT NULL,        -- JSON schedule spec with lr and steps filled in
    seed            INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'diverged', 'pruned', 'failed')),
    status_reason   TEXT,
    steps_total     INTEGER NOT NULL,
    steps_done      INTEGER NOT NULL DEFAULT 0,
    final_train_loss REAL,
    final_val_loss  REAL,
    artifact_dir    TEXT,                 -- the fine-tuned model, kept for re-evaluation
    evaluation_id   INTEGER REFERENCES evaluations(id),
    verdict         TEXT CHECK (verdict IN ('pass', 'fail', 'error')),
    gate_id         INTEGER REFERENCES gates(id),
    started_at      TEXT,
    finished_at     TEXT,
    UNIQUE (run_id, label)
  );

  CREATE TABLE train_steps (
    candidate_id  INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    step          INTEGER NOT NULL,       -- 0-based optimizer step
    lr            REAL NOT NULL,
    loss          REAL NOT NULL,
    grad_norm     REAL NOT NULL,          -- global norm before clipping
    clipped       INTEGER NOT NULL,
    tokens_per_s  REAL NOT NULL,
    val_loss      REAL,                   -- only on validation steps
    PRIMARY KEY (candidate_id, step)
  ) WITHOUT ROWID;

  CREATE TABLE rungs (
    candidate_id  INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    step          INTEGER NOT NULL,       -- steps done when the rung was measured
    val_loss      REAL NOT NULL,          -- target validation loss
    probe_nll     REAL,                   -- out-of-domain probe: summed NLL and tokens
    probe_tokens  INTEGER,
    kept          INTEGER,                -- NULL until the rung is decided; 0 = pruned here
    reason        TEXT,
    PRIMARY KEY (candidate_id, step)
  ) WITHOUT ROWID;

  CREATE TABLE evaluations (
    id            INTEGER PRIMARY KEY,
    label         TEXT NOT NULL,
    dataset_id    INTEGER NOT NULL REFERENCES datasets(id),
    dataset_hash  TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('model', 'outputs')),
    model_dir     TEXT,
    outputs_file  TEXT,
    run_id        INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    candidate_id  INTEGER REFERENCES candidates(id) ON DELETE SET NULL,
    evaluators    TEXT NOT NULL,          -- JSON list of evaluator specs
    seed          INTEGER NOT NULL,
    backend       TEXT,
    created_at    TEXT NOT NULL
  );
  CREATE INDEX evaluations_label ON evaluations(label, id);

  CREATE TABLE record_outputs (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    record_id     TEXT NOT NULL,
    cohort        TEXT NOT NULL,
    output        TEXT,
    nll           REAL,                   -- nats, summed over the reference (or text) tokens
    tokens        INTEGER,
    failed        INTEGER NOT NULL,       -- 1 when any thresholded evaluator failed the record
    PRIMARY KEY (evaluation_id, record_id)
  ) WITHOUT ROWID;

  CREATE TABLE record_scores (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    record_id     TEXT NOT NULL,
    metric        TEXT NOT NULL,
    value         REAL NOT NULL,
    passed        INTEGER,                -- NULL when the evaluator has no threshold
    PRIMARY KEY (evaluation_id, record_id, metric)
  ) WITHOUT ROWID;

  CREATE TABLE cohort_metrics (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    cohort        TEXT NOT NULL,
    metric        TEXT NOT NULL,          -- an evaluator name, or failRate
    value         REAL NOT NULL,
    ci_low        REAL,
    ci_high       REAL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (evaluation_id, cohort, metric)
  );

  CREATE TABLE gates (
    id                        INTEGER PRIMARY KEY,
    candidate_evaluation_id   INTEGER NOT NULL REFERENCES evaluations(id),
    baseline_evaluation_id    INTEGER NOT NULL REFERENCES evaluations(id),
    verdict       TEXT NOT NULL CHECK (verdict IN ('pass', 'fail')),
    confidence    REAL NOT NULL,
    resamples     INTEGER NOT NULL,
    seed          INTEGER NOT NULL,
    rules         TEXT NOT NULL,          -- JSON list of the rules applied
    shared_records INTEGER NOT NULL,
    created_at    TEXT NOT NULL
  );

  CREATE TABLE gate_results (
    gate_id     INTEGER NOT NULL REFERENCES gates(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    rule        TEXT NOT NULL,            -- human form, e.g. "relevance maxDrop 0.02"
    cohort      TEXT NOT NULL,
    metric      TEXT NOT NULL,
    baseline    REAL,
    candidate   REAL,
    delta       REAL,
    ci_low      REAL,
    ci_high     REAL,
    lim         REAL,
    status      TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'skipped')),
    message     TEXT NOT NULL,
    PRIMARY KEY (gate_id, position)
  ) WITHOUT ROWID;

  CREATE TABLE promotions (
    id            INTEGER PRIMARY KEY,
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
    model_dir     TEXT,
    note          TEXT,
    promoted_at   TEXT NOT NULL
  );
  `,
  // 2: served models (eval --endpoint): where an evaluation's outputs came from, the tokenizer its
  //    token counts are in, the reference bytes (bitsPerByte), and why perplexity is missing
  `
  ALTER TABLE evaluations ADD COLUMN endpoint_url TEXT;            -- base URL without credentials
  ALTER TABLE evaluations ADD COLUMN endpoint_model TEXT;
  ALTER TABLE evaluations ADD COLUMN tokenizer TEXT;               -- e.g. char:1efd1709cc14; NULL when unknown (outputs files)
  ALTER TABLE evaluations ADD COLUMN reference_bytes INTEGER;      -- UTF-8 bytes of every scored reference (or text)
  ALTER TABLE evaluations ADD COLUMN perplexity_unavailable TEXT;  -- why the endpoint gave no prompt log-probs
  ALTER TABLE record_outputs ADD COLUMN bytes INTEGER;             -- UTF-8 bytes of the record's scored reference (or text)
  `,

  // 3: lossless gate rows and record scores. A gate row carries everything a reader needs without
  // going back to the rules by label text (two rules may share a name): the rule's position, the
  // limit's kind and side, relative or absolute, the paired record count, inconclusive and the records
  // that would settle it, and the statistics of the comparison (p-value, multiplicity-adjusted p-value,
  // decided). Rows written before this migration hold NULL there. Record scores keep the evaluator's reason.
  `
  ALTER TABLE gate_results ADD COLUMN rule_index     INTEGER;  -- position of the rule in gates.rules
  ALTER TABLE gate_results ADD COLUMN limit_kind     TEXT CHECK (limit_kind IN ('maxDrop', 'maxRise', 'minGain'));
  ALTER TABLE gate_results ADD COLUMN limit_side     TEXT CHECK (limit_side IN ('atLeast', 'atMost'));
  ALTER TABLE gate_results ADD COLUMN relative       INTEGER;  -- 1: delta and limit are relative to the baseline
  ALTER TABLE gate_results ADD COLUMN records        INTEGER;  -- paired records the row was computed on (0: skipped)
  ALTER TABLE gate_results ADD COLUMN inconclusive   INTEGER;  -- 1: the interval crosses the limit
  ALTER TABLE gate_results ADD COLUMN records_needed INTEGER;  -- records that would settle an inconclusive row
  ALTER TABLE gate_results ADD COLUMN p_value        REAL;     -- one-sided p-value of "the limit holds"
  ALTER TABLE gate_results ADD COLUMN adjusted_p     REAL;     -- after the multiplicity correction
  ALTER TABLE gate_results ADD COLUMN decided        INTEGER;  -- 1: the row's status is a decision, not a default

  ALTER TABLE record_scores ADD COLUMN reason TEXT;            -- the evaluator's reason, when it gave one
  `,
  // 4: what an external trainer left for a person to read (sweep --trainer)
  `
  ALTER TABLE candidates ADD COLUMN warnings TEXT;   -- JSON list of sentences (e.g. the lr differs from lr_schedule)
  ALTER TABLE candidates ADD COLUMN log_tail TEXT;   -- the trainer's last 20 log lines when it failed (secrets masked)
  `,

  // 5: the remedy grid (sweep --method/--replay/--interpolate): how each candidate was made. Rows
  //    written before hold NULL (a full fine-tune, no replay, not interpolated). An interpolated
  //    candidate trains nothing: parent_id is the trained candidate whose weights it blends with the base.
  `
  ALTER TABLE candidates ADD COLUMN method      TEXT CHECK (method IN ('full', 'lora'));
  ALTER TABLE candidates ADD COLUMN lora        TEXT;     -- JSON {rank, alpha, targets, dropout} for method lora
  ALTER TABLE candidates ADD COLUMN replay      REAL;     -- share of each batch drawn from datasets.replay (0..1)
  ALTER TABLE candidates ADD COLUMN interpolate REAL;     -- WiSE-FT alpha: base + alpha (tuned - base); 1 = the tuned model
  ALTER TABLE candidates ADD COLUMN parent_id   INTEGER REFERENCES candidates(id);
  ALTER TABLE candidates ADD COLUMN adapter_dir TEXT;     -- method lora: the adapter folder (artifact_dir holds the merged model)

  ALTER TABLE train_steps ADD COLUMN target_loss REAL;    -- with replay: mean loss of the fine-tune rows of the batch
  ALTER TABLE train_steps ADD COLUMN replay_loss REAL;    -- with replay: mean loss of the replay rows
  `,

  // 6: sweep --seeds N: a configuration's verdict comes from the per-record mean of its seeds'
  //    evaluations, stored as an evaluation of its own that names what it averages.
  `
  ALTER TABLE evaluations ADD COLUMN seed_mean_of TEXT;  -- JSON list of the evaluation ids averaged; NULL for one model's evaluation
  `,

  // 7: sweeps sharded across machines (sweep --shard I/N) and merged (lrgate merge). Every run gets a
  //    unique id and its plan's hash: shards with one name and plan hash are one sweep. merged_runs
  //    records which source runs a destination run holds, so merging a shard twice adds nothing.
  `
  ALTER TABLE runs ADD COLUMN uid TEXT;        -- random, 16 hex; NULL in runs made before migration 7
  ALTER TABLE runs ADD COLUMN plan_hash TEXT;  -- sha256 of the sweep plan without name, shard and paths (sweep/shard.ts planHash)
  ALTER TABLE runs ADD COLUMN shard TEXT;      -- "I/N" for sweep --shard; NULL for a whole sweep (or a merged one)
  CREATE UNIQUE INDEX runs_uid ON runs(uid);

  CREATE TABLE merged_runs (
    source_uid TEXT PRIMARY KEY,               -- the uid of the run copied in (a shard's run)
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    shard      TEXT,                           -- its "I/N"
    source     TEXT NOT NULL,                  -- the database file it came from
    merged_at  TEXT NOT NULL
  );
  `,

  // 8: the guide's other schedulers (sweep.schedules, sweep.ema). Every step stores the values it was
  //    trained with beside the lr; rows written before hold NULL (the run's constants applied). A
  //    candidate whose model holds the exponential moving average of the weights names its decay.
  `
  ALTER TABLE train_steps ADD COLUMN batch_size   INTEGER;  -- sequences in this step's batch (sweep.schedules.batchSize ramp)
  ALTER TABLE train_steps ADD COLUMN clip_norm    REAL;     -- the global-norm clip limit applied (0: off)
  ALTER TABLE train_steps ADD COLUMN weight_decay REAL;     -- the weight decay applied
  ALTER TABLE train_steps ADD COLUMN ema_decay    REAL;     -- the EMA decay of this step's update (after warmup); NULL without sweep.ema

  ALTER TABLE candidates ADD COLUMN ema_decay REAL;         -- its model holds the EMA of the weights at this decay; NULL: the raw weights
  `,

  // 9: controller training (lrgate controller train) is a run of kind 'controller'. SQLite cannot change
  //    a CHECK constraint in place, so runs is rebuilt with the same columns and rows (migrate() runs
  //    every migration with foreign keys off and checks them before committing; ids are kept, so every
  //    reference stays valid). controller_episodes keeps every episode whole: its task, seed, return,
  //    the lr applied at each step, the decisions, rewards and losses; controller_results the file made.
  `
  CREATE TABLE runs_v9 (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('sweep', 'find-lr', 'pretrain', 'controller')),
    name            TEXT,
    status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
    seed            INTEGER NOT NULL,
    config          TEXT NOT NULL,
    backend         TEXT,
    backend_reason  TEXT,
    base_model      TEXT,
    train_dataset_id INTEGER REFERENCES datasets(id),
    eval_dataset_id  INTEGER REFERENCES datasets(id),
    base_evaluation_id INTEGER REFERENCES evaluations(id),
    recommended_candidate_id INTEGER REFERENCES candidates(id),
    created_at      TEXT NOT NULL,
    finished_at     TEXT,
    uid             TEXT,
    plan_hash       TEXT,
    shard           TEXT
  );
  INSERT INTO runs_v9 (id, kind, name, status, seed, config, backend, backend_reason, base_model, train_dataset_id, eval_dataset_id,
                       base_evaluation_id, recommended_candidate_id, created_at, finished_at, uid, plan_hash, shard)
    SELECT id, kind, name, status, seed, config, backend, backend_reason, base_model, train_dataset_id, eval_dataset_id,
           base_evaluation_id, recommended_candidate_id, created_at, finished_at, uid, plan_hash, shard FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_v9 RENAME TO runs;
  CREATE UNIQUE INDEX runs_uid ON runs(uid);

  CREATE TABLE controller_episodes (
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    episode       INTEGER NOT NULL,       -- 0-based, in the order PPO consumed them
    task          TEXT NOT NULL,          -- the source task's dataset reference
    seed          INTEGER NOT NULL,       -- the episode's own seed (batches and sampled actions)
    status        TEXT NOT NULL,          -- the fine-tune's end: completed or diverged
    return        REAL NOT NULL,          -- sum of the episode's rewards
    lrs           TEXT NOT NULL,          -- JSON: the lr applied at each optimizer step
    decisions     TEXT NOT NULL,          -- JSON: [{step, action, lrBefore, lrAfter, state, logp, value}]
    rewards       TEXT NOT NULL,          -- JSON: one per decision
    val_losses    TEXT NOT NULL,          -- JSON: target validation loss at the start, each decision, the end
    probe_losses  TEXT NOT NULL,          -- JSON: out-of-domain probe loss at the same points
    seconds       REAL NOT NULL,          -- wall time of the episode
    PRIMARY KEY (run_id, episode)
  ) WITHOUT ROWID;

  CREATE TABLE controller_results (
    run_id      INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    file        TEXT NOT NULL,            -- where the controller file was written
    controller  TEXT NOT NULL             -- the controller file's JSON, as written
  );
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length
