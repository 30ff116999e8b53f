import type { Migration } from '@fluxi/db';
import { laterMigrations } from './migrations-later.js';

/** The scheduler's schema; the same SQL runs on PostgreSQL and PGlite. Never edit an applied one. */
export const migrations: readonly Migration[] = [
  {
    id: '001_runs',
    sql: `
CREATE TABLE pipeline_runs (
  id text PRIMARY KEY,
  pipeline_id text,
  job_id text,
  number integer NOT NULL,
  status text NOT NULL,
  trigger text NOT NULL,
  triggered_by text,
  snapshot jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  ended_at timestamptz,
  CONSTRAINT pipeline_runs_one_source CHECK ((pipeline_id IS NULL) <> (job_id IS NULL)),
  CONSTRAINT pipeline_runs_pipeline_number UNIQUE (pipeline_id, number),
  CONSTRAINT pipeline_runs_job_number UNIQUE (job_id, number)
);

CREATE TABLE run_counters (
  scope text PRIMARY KEY,
  last_number integer NOT NULL
);

CREATE TABLE job_runs (
  id text PRIMARY KEY,
  pipeline_run_id text NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  position integer NOT NULL,
  stage_index integer NOT NULL,
  stage_name text NOT NULL,
  name text NOT NULL,
  job_id text NOT NULL,
  spec jsonb NOT NULL,
  needs jsonb NOT NULL,
  allow_failure boolean NOT NULL,
  max_attempts integer NOT NULL,
  status text NOT NULL,
  attempt integer NOT NULL,
  exit_code integer,
  failure_class text,
  reason text,
  started_at timestamptz,
  ended_at timestamptz,
  CONSTRAINT job_runs_run_name UNIQUE (pipeline_run_id, name),
  CONSTRAINT job_runs_run_position UNIQUE (pipeline_run_id, position)
);

CREATE INDEX job_runs_queued ON job_runs (id) WHERE status = 'QUEUED';
`,
  },
  {
    id: '002_pipelines_in_depth',
    sql: `
ALTER TABLE pipeline_runs ADD COLUMN triggered_by_name text;
ALTER TABLE pipeline_runs ADD COLUMN branch text;
ALTER TABLE pipeline_runs ADD COLUMN commit_sha text;
ALTER TABLE pipeline_runs ADD COLUMN rerun_of text REFERENCES pipeline_runs (id) ON DELETE SET NULL;
ALTER TABLE pipeline_runs ADD COLUMN failed_only boolean NOT NULL DEFAULT false;
ALTER TABLE pipeline_runs ADD COLUMN reason text;
ALTER TABLE pipeline_runs ADD COLUMN timeout_sec integer;
ALTER TABLE pipeline_runs ADD COLUMN deadline_at timestamptz;
ALTER TABLE pipeline_runs ADD COLUMN concurrency_group text;
-- 'waiting' until the run's concurrency group lets it start, then 'admitted'; null without a group.
ALTER TABLE pipeline_runs ADD COLUMN concurrency_state text;
CREATE INDEX pipeline_runs_deadline ON pipeline_runs (deadline_at) WHERE deadline_at IS NOT NULL AND ended_at IS NULL;
CREATE INDEX pipeline_runs_group ON pipeline_runs (concurrency_group, created_at) WHERE concurrency_group IS NOT NULL AND ended_at IS NULL;

ALTER TABLE job_runs ADD COLUMN entry text;
UPDATE job_runs SET entry = name;
ALTER TABLE job_runs ALTER COLUMN entry SET NOT NULL;
ALTER TABLE job_runs ADD COLUMN matrix jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE job_runs ADD COLUMN run_when text NOT NULL DEFAULT 'on_success';
ALTER TABLE job_runs ADD COLUMN retry jsonb;
ALTER TABLE job_runs ADD COLUMN not_before timestamptz;
-- A failed-only rerun keeps the earlier run's successful job runs: their output and artifacts live there.
ALTER TABLE job_runs ADD COLUMN reused_from text;
-- Standard output of the latest attempt, cut at contexts.maxBytes; output_bytes is the whole size.
ALTER TABLE job_runs ADD COLUMN output text;
ALTER TABLE job_runs ADD COLUMN output_bytes bigint;

CREATE TABLE stage_runs (
  pipeline_run_id text NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  stage_index integer NOT NULL,
  name text NOT NULL,
  status text NOT NULL,
  started_at timestamptz,
  ended_at timestamptz,
  PRIMARY KEY (pipeline_run_id, stage_index)
);

-- One row per ended attempt; the current, open attempt is the job run itself.
CREATE TABLE job_run_attempts (
  job_run_id text NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  status text NOT NULL,
  not_before timestamptz,
  started_at timestamptz,
  ended_at timestamptz,
  exit_code integer,
  failure_class text,
  reason text,
  PRIMARY KEY (job_run_id, attempt)
);

CREATE TABLE artifacts (
  job_run_id text NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  path text NOT NULL,
  size_bytes bigint NOT NULL,
  PRIMARY KEY (job_run_id, attempt, path)
);

-- The latest output of each job (CJ…) and pipeline (CP…): what $$(name) resolves to.
CREATE TABLE contexts (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('job', 'pipeline')),
  owner_id text NOT NULL,
  name text NOT NULL,
  value text NOT NULL DEFAULT '',
  size_bytes bigint NOT NULL DEFAULT 0,
  truncated boolean NOT NULL DEFAULT false,
  pipeline_run_id text,
  job_run_id text,
  started_at timestamptz,
  duration_ms bigint,
  exit_code integer,
  status text,
  parts jsonb NOT NULL DEFAULT '[]'::jsonb,
  updated_at timestamptz NOT NULL,
  CONSTRAINT contexts_owner UNIQUE (kind, owner_id)
);
CREATE INDEX contexts_name ON contexts (name, updated_at DESC);
`,
  },
  {
    id: '003_dead_letters',
    sql: `
-- Executor events that failed every delivery: not applied, kept for inspection; their job run ended FAILED.
CREATE TABLE dead_letters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stream text NOT NULL,
  subject text NOT NULL,
  stream_seq bigint NOT NULL,
  job_run_id text,
  -- Short, never the message's payload.
  error text NOT NULL,
  first_failed_at timestamptz NOT NULL,
  last_failed_at timestamptz NOT NULL,
  deliveries integer NOT NULL,
  CONSTRAINT dead_letters_message UNIQUE (stream, stream_seq)
);
CREATE INDEX dead_letters_job_run ON dead_letters (job_run_id) WHERE job_run_id IS NOT NULL;

-- The reconciliation reads every open job run at each pass.
CREATE INDEX job_runs_open ON job_runs (id) WHERE status IN ('QUEUED', 'RUNNING');
`,
  },
  {
    id: '004_pools_and_limits',
    sql: `
-- The pool and the job's maxConcurrent as frozen in the spec, for the limits' counts.
ALTER TABLE job_runs ADD COLUMN pool text GENERATED ALWAYS AS (COALESCE(NULLIF(spec->>'pool', ''), 'default')) STORED;
ALTER TABLE job_runs ADD COLUMN max_concurrent integer
  GENERATED ALWAYS AS (COALESCE((spec->>'maxConcurrent')::integer, 0)) STORED;
-- The attempt handed to the executors' queue. A QUEUED job run whose current attempt is not
-- this one is held back by a limit (pools.*, the job's maxConcurrent) until a place frees.
ALTER TABLE job_runs ADD COLUMN dispatched_attempt integer;
UPDATE job_runs SET dispatched_attempt = attempt;
CREATE INDEX job_runs_open_pool ON job_runs (pool) WHERE status IN ('QUEUED', 'RUNNING');
CREATE INDEX job_runs_open_job ON job_runs (job_id) WHERE status IN ('QUEUED', 'RUNNING');
-- One row per attempt handed to a pool with a rate limit, kept a minute (ratePerMinute).
CREATE TABLE pool_dispatches (
  pool text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX pool_dispatches_pool_at ON pool_dispatches (pool, at);
`,
  },
  {
    id: '005_run_events_and_retention',
    sql: `
-- The run-event outbox: per pipeline run, the last sequence number stored (kept by the trigger
-- below; the engine reads it with the run row locked and numbers the next events after it, so
-- numbers follow commit order without gaps) and the last one published. relay_owner /
-- relay_until: the scheduler running a relay pass on this run now (a lease).
CREATE TABLE run_event_streams (
  pipeline_run_id text PRIMARY KEY REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  last_seq bigint NOT NULL,
  sent_seq bigint NOT NULL DEFAULT 0,
  relay_owner text,
  relay_until timestamptz
);
CREATE INDEX run_event_streams_unsent ON run_event_streams (pipeline_run_id) WHERE sent_seq < last_seq;
-- One row per RunEvent: data is the message as published (binary protobuf, seq included).
-- No other index: an insert per event is on the engine's hot path; pruning scans.
CREATE TABLE run_events (
  pipeline_run_id text NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  id text NOT NULL,
  data bytea NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (pipeline_run_id, seq)
);
-- One statement per transaction on the hot path: the counter follows the inserted rows.
-- (No semicolon at a line end inside the body: migrate() splits statements there.)
CREATE FUNCTION run_events_counted() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN
  INSERT INTO run_event_streams (pipeline_run_id, last_seq)
  SELECT pipeline_run_id, max(seq) FROM inserted GROUP BY pipeline_run_id
  ON CONFLICT (pipeline_run_id) DO UPDATE SET last_seq = GREATEST(run_event_streams.last_seq, EXCLUDED.last_seq); RETURN NULL; END
$fn$;
CREATE TRIGGER run_events_count AFTER INSERT ON run_events
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION run_events_counted();

-- Retention as frozen in the run's snapshot (null: the installation's default).
ALTER TABLE pipeline_runs ADD COLUMN run_retention_days integer
  GENERATED ALWAYS AS (NULLIF((snapshot->'retention'->>'runDays')::integer, 0)) STORED;
ALTER TABLE pipeline_runs ADD COLUMN log_retention_days integer
  GENERATED ALWAYS AS (NULLIF((snapshot->'retention'->>'logDays')::integer, 0)) STORED;
CREATE INDEX pipeline_runs_ended ON pipeline_runs (ended_at) WHERE ended_at IS NOT NULL;
-- A failed-only rerun reuses job runs of an older run: the older run is kept while it is reused.
CREATE INDEX job_runs_reused_from ON job_runs (reused_from) WHERE reused_from IS NOT NULL;
CREATE INDEX contexts_pipeline_run ON contexts (pipeline_run_id) WHERE pipeline_run_id IS NOT NULL;
`,
  },
  {
    id: '006_trigger_provenance',
    sql: `
-- The one trigger: a key held unique by the database (not a read-then-write), so a second
-- trigger with the key (a webhook redelivery, a schedule occurrence fired twice) gets the first run.
ALTER TABLE pipeline_runs ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX pipeline_runs_idempotency_key ON pipeline_runs (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Where the run came from: schedule and planned time, webhook delivery, git push (RunProvenance).
ALTER TABLE pipeline_runs ADD COLUMN provenance jsonb;
`,
  },
  {
    id: '007_webhook_deliveries',
    sql: `
-- Every git webhook delivery the gateway received (even refused ones), newest first by id (ULID).
-- runs: [{"pipelineId", "pipelineRunId", "number", "created"}]; pipeline_ids: whose secret verified it.
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  received_at timestamptz NOT NULL,
  provider text NOT NULL,
  event text NOT NULL,
  delivery_id text NOT NULL,
  repository text NOT NULL,
  ref text NOT NULL,
  commit_sha text NOT NULL,
  result text NOT NULL,
  message text NOT NULL,
  pipeline_ids text[] NOT NULL,
  runs jsonb NOT NULL
);
CREATE INDEX webhook_deliveries_pipeline_ids ON webhook_deliveries USING gin (pipeline_ids);
CREATE INDEX webhook_deliveries_received_at ON webhook_deliveries (received_at);
`,
  },
  {
    id: '008_schedule_history',
    sql: `
-- One row per planned time of a schedule that was handled: fired (runs started), queued, skipped
-- (missed, overlap) or failed. The primary key makes a second leader's record of the same
-- occurrence a no-op; the latest planned_at per schedule is where a new leader goes on from.
-- runs: [{ "pipelineId" | "jobId", "pipelineRunId", "number", "created" } | { …, "queued" | "skipped" | "error" }]
CREATE TABLE schedule_fires (
  schedule_id text NOT NULL,
  planned_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('FIRED', 'QUEUED', 'SKIPPED', 'FAILED')),
  reason text,
  fired_at timestamptz,
  runs jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- A range of skipped planned times not listed one by one (a long downtime): (skipped_after, planned_at].
  skipped_after timestamptz,
  skipped_count integer,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (schedule_id, planned_at)
);
CREATE INDEX schedule_fires_recorded_at ON schedule_fires (recorded_at);
-- The runs a schedule started per target, for its overlap policy (is the previous one still running?).
CREATE TABLE schedule_runs (
  schedule_id text NOT NULL,
  target_id text NOT NULL,
  planned_at timestamptz NOT NULL,
  pipeline_run_id text NOT NULL,
  PRIMARY KEY (schedule_id, target_id, planned_at)
);
-- Fires waiting for the previous run of their target to end (overlap: queue), one per target.
CREATE TABLE schedule_queue (
  schedule_id text NOT NULL,
  target_id text NOT NULL,
  target_kind text NOT NULL CHECK (target_kind IN ('pipeline', 'job')),
  planned_at timestamptz NOT NULL,
  queued_at timestamptz NOT NULL,
  PRIMARY KEY (schedule_id, target_id)
);
`,
  },
  {
    id: '009_gitlab_waits',
    sql: `
-- GitLab CI semantics (issue 13): allow_failure by exit codes, needs: [] (start at once) and
-- the entries whose artifacts a job run takes (NULL: all it waits for).
ALTER TABLE job_runs ADD COLUMN allow_failure_exit_codes jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE job_runs ADD COLUMN start_at_once boolean NOT NULL DEFAULT false;
ALTER TABLE job_runs ADD COLUMN artifacts_from jsonb;
`,
  },
  ...laterMigrations,
];
