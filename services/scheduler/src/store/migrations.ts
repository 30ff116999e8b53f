import type { Migration } from '@fluxi/db';

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
];
