import type { Migration } from '@fluxi/db';

/**
 * The catalog schema. Ordered, never edited once released: add a migration instead.
 * The same SQL runs on PostgreSQL and PGlite.
 */
export const migrations: readonly Migration[] = [
  {
    id: '001_jobs_pipelines',
    sql: `
      CREATE TABLE jobs (
        id text PRIMARY KEY,
        name text NOT NULL,
        command text NOT NULL,
        image text,
        env jsonb NOT NULL DEFAULT '[]'::jsonb,
        workdir text,
        timeout_sec integer,
        max_attempts integer NOT NULL DEFAULT 1,
        allow_failure boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX jobs_name_key ON jobs (name);
      CREATE TABLE pipelines (
        id text PRIMARY KEY,
        name text NOT NULL,
        description text,
        stages jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX pipelines_name_key ON pipelines (name);
      -- Which jobs a pipeline uses: a job in use cannot be deleted (RESTRICT), even by a racing transaction.
      CREATE TABLE pipeline_jobs (
        pipeline_id text NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
        job_id text NOT NULL REFERENCES jobs (id) ON DELETE RESTRICT,
        PRIMARY KEY (pipeline_id, job_id)
      );
      CREATE INDEX pipeline_jobs_job_id ON pipeline_jobs (job_id);
    `,
  },
  {
    id: '002_users_api_keys',
    sql: `
      CREATE TABLE users (
        id text PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'writer', 'reader')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_name_key ON users (name);
      -- Only the SHA-256 (hex) of a key is stored, the plain key is shown once.
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name text NOT NULL,
        hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_user_id ON api_keys (user_id);
    `,
  },
  {
    id: '003_retry_matrix_schedules',
    sql: `
      ALTER TABLE jobs
        ADD COLUMN retry jsonb NOT NULL
          DEFAULT '{"on": [], "exitCodes": [], "backoff": "FIXED", "delayMs": 0, "maxDelayMs": null, "jitter": false}'::jsonb,
        ADD COLUMN artifacts jsonb NOT NULL DEFAULT '[]'::jsonb;
      ALTER TABLE pipelines
        ADD COLUMN timeout_sec integer,
        ADD COLUMN concurrency jsonb;
      -- Entries written before this migration get the defaults of the new entry fields.
      UPDATE pipelines SET stages = (
        SELECT jsonb_agg(
          jsonb_set(stage, '{entries}', (
            SELECT jsonb_agg('{"when": "ON_SUCCESS", "matrix": [], "allowFailure": null}'::jsonb || entry ORDER BY e)
            FROM jsonb_array_elements(stage -> 'entries') WITH ORDINALITY AS entries (entry, e)
          ))
          ORDER BY s)
        FROM jsonb_array_elements(stages) WITH ORDINALITY AS all_stages (stage, s)
      );
      CREATE TABLE schedules (
        id text PRIMARY KEY,
        name text NOT NULL,
        pipeline_id text NOT NULL REFERENCES pipelines (id) ON DELETE RESTRICT,
        cron text,
        at timestamptz,
        timezone text NOT NULL DEFAULT 'UTC',
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT schedules_cron_or_at CHECK ((cron IS NULL) <> (at IS NULL))
      );
      CREATE UNIQUE INDEX schedules_name_key ON schedules (name);
      CREATE INDEX schedules_pipeline_id ON schedules (pipeline_id);
    `,
  },
  {
    id: '004_pools_tags_limits_docker',
    sql: `
      ALTER TABLE jobs
        ADD COLUMN pool text NOT NULL DEFAULT 'default',
        ADD COLUMN tags jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN max_concurrent integer,
        ADD COLUMN docker jsonb NOT NULL
          DEFAULT '{"pullPolicy": "IF_NOT_PRESENT", "cpus": null, "memoryMiB": null, "entrypoint": [], "keepOnFailure": false}'::jsonb;
      -- Entries written before this migration get the defaults of the new entry fields.
      UPDATE pipelines SET stages = (
        SELECT jsonb_agg(
          jsonb_set(stage, '{entries}', (
            SELECT jsonb_agg('{"pool": null, "tags": []}'::jsonb || entry ORDER BY e)
            FROM jsonb_array_elements(stage -> 'entries') WITH ORDINALITY AS entries (entry, e)
          ))
          ORDER BY s)
        FROM jsonb_array_elements(stages) WITH ORDINALITY AS all_stages (stage, s)
      );
    `,
  },
  {
    id: '005_pipeline_retention',
    sql: `
      -- {"runDays": n | null, "logDays": n | null}; null: the installation's defaults.
      ALTER TABLE pipelines ADD COLUMN retention jsonb;
    `,
  },
  {
    id: '006_pipeline_git_source',
    sql: `
      -- {"repository", "repositoryKey", "branches", "tags", "events"}; null: no git source.
      ALTER TABLE pipelines ADD COLUMN git jsonb;
      ALTER TABLE pipelines ADD COLUMN repository_key text GENERATED ALWAYS AS (git ->> 'repositoryKey') STORED;
      -- AES-256-GCM under the installation's key, the pipeline id bound in ("v1:<base64>"); never selected
      -- with the pipeline, only opened for the gateway's signature check.
      ALTER TABLE pipelines ADD COLUMN webhook_secret text CHECK (webhook_secret LIKE 'v1:%');
      ALTER TABLE pipelines ADD COLUMN webhook_secret_set_at timestamptz;
      CREATE INDEX pipelines_repository_key ON pipelines (repository_key) WHERE repository_key IS NOT NULL;
    `,
  },
  {
    id: '007_schedule_targets_policies',
    sql: `
      -- What a schedule starts: pipelines and jobs (one row each, in order), kept from deletion while scheduled.
      CREATE TABLE schedule_targets (
        schedule_id text NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
        position integer NOT NULL,
        pipeline_id text REFERENCES pipelines (id) ON DELETE RESTRICT,
        job_id text REFERENCES jobs (id) ON DELETE RESTRICT,
        PRIMARY KEY (schedule_id, position),
        CONSTRAINT schedule_targets_one CHECK ((pipeline_id IS NULL) <> (job_id IS NULL))
      );
      CREATE INDEX schedule_targets_pipeline_id ON schedule_targets (pipeline_id) WHERE pipeline_id IS NOT NULL;
      CREATE INDEX schedule_targets_job_id ON schedule_targets (job_id) WHERE job_id IS NOT NULL;
      INSERT INTO schedule_targets (schedule_id, position, pipeline_id) SELECT id, 0, pipeline_id FROM schedules;
      ALTER TABLE schedules DROP COLUMN pipeline_id;
      ALTER TABLE schedules
        ADD COLUMN overlap text NOT NULL DEFAULT 'ALLOW' CHECK (overlap IN ('ALLOW', 'SKIP', 'QUEUE')),
        ADD COLUMN missed_fires text NOT NULL DEFAULT 'RUN_ONCE' CHECK (missed_fires IN ('SKIP', 'RUN_ONCE', 'ALL')),
        -- Planned times at or before this are not the definition's (created, enabled, timing changed).
        ADD COLUMN active_since timestamptz NOT NULL DEFAULT now();
      UPDATE schedules SET active_since = updated_at;
    `,
  },
  {
    id: '008_job_checkout',
    sql: `
      -- The job fetches its run's commit (a git push's) into the work folder before the command.
      ALTER TABLE jobs ADD COLUMN checkout boolean NOT NULL DEFAULT false;
    `,
  },
  {
    id: '009_users_sessions_audit',
    sql: `
      -- A disabled user's keys and sessions are refused; the password (scrypt) is for the web UI.
      ALTER TABLE users ADD COLUMN disabled_at timestamptz, ADD COLUMN password_hash text;
      ALTER TABLE api_keys ADD COLUMN expires_at timestamptz, ADD COLUMN last_used_at timestamptz;
      -- Sessions opened by a login: the token is fluxi_<id>_<secret>, only its SHA-256 is stored.
      CREATE TABLE sessions (
        id text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
      CREATE INDEX sessions_user_id ON sessions (user_id);
      -- Who did what, when, to what, and how it ended (never a secret value in details).
      CREATE TABLE audit_entries (
        id text PRIMARY KEY,
        at timestamptz NOT NULL,
        user_id text,
        user_name text,
        key_id text,
        action text NOT NULL,
        target text,
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
        details jsonb NOT NULL DEFAULT '{}',
        address text
      );
      CREATE INDEX audit_entries_at ON audit_entries (at DESC, id DESC);
      CREATE INDEX audit_entries_user ON audit_entries (user_id, at DESC);
      CREATE INDEX audit_entries_action ON audit_entries (action, at DESC);
    `,
  },
  {
    id: '010_secrets',
    sql: `
      -- Secrets given to jobs as environment variables: AES-256-GCM under the installation's key, the row
      -- id bound in ("v1:<base64>"); never selected but to give them to an attempt or to seal them again.
      CREATE TABLE secrets (
        id text PRIMARY KEY,
        name text NOT NULL,
        -- null: global; else the pipeline whose jobs see it (over a global secret of the same name).
        pipeline_id text REFERENCES pipelines (id) ON DELETE CASCADE,
        value text NOT NULL CHECK (value LIKE 'v1:%'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      );
      CREATE UNIQUE INDEX secrets_scope_name ON secrets ((COALESCE(pipeline_id, '')), name);
      CREATE INDEX secrets_name ON secrets (name);
      -- Names of the secrets a job gets (values resolved at attempt start).
      ALTER TABLE jobs ADD COLUMN secrets jsonb NOT NULL DEFAULT '[]'::jsonb;
    `,
  },
  {
    id: '011_job_exit_codes',
    sql: `
      -- GitLab allow_failure: exit_codes (issue 13): a failure with one of them does not fail the run.
      ALTER TABLE jobs ADD COLUMN allow_failure_exit_codes jsonb NOT NULL DEFAULT '[]'::jsonb;
    `,
  },
  {
    id: '012_notification_subscriptions',
    sql: `
      -- Outgoing webhooks (issue 12): the scheduler delivers; the catalog holds the definitions and the
      -- signing secrets, sealed like secrets ("v1:<base64>", the subscription id bound in).
      CREATE TABLE notification_subscriptions (
        id text PRIMARY KEY,
        name text NOT NULL,
        url text NOT NULL,
        events jsonb NOT NULL,
        pipeline_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
        branches jsonb NOT NULL DEFAULT '[]'::jsonb,
        format text NOT NULL CHECK (format IN ('STANDARD', 'SLACK')),
        secret text NOT NULL CHECK (secret LIKE 'v1:%'),
        secret_set_at timestamptz NOT NULL DEFAULT now(),
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];
