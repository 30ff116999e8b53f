import type { Migration } from '@fluxi/db';

/** The scheduler's migrations from 010 on (notifications, traces); the list goes on in migrations.ts. */
export const laterMigrations: readonly Migration[] = [
  {
    id: '010_notifications',
    sql: `
-- Outgoing webhooks (issue 12): one delivery per (subscription, occurrence), written by the run-event
-- consumer (outbox) and sent by the delivery loop; the id is the Standard Webhooks webhook-id.
-- payload: { type, version, timestamp, data }; last_attempt: the attempt after which it is given up.
CREATE TABLE notification_deliveries (
  id text PRIMARY KEY,
  subscription_id text NOT NULL,
  occurrence_key text NOT NULL,
  event_type text NOT NULL,
  pipeline_run_id text,
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
  attempts integer NOT NULL DEFAULT 0,
  last_attempt integer NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  -- A replica sending it holds it until then (a crash mid-attempt frees it).
  locked_until timestamptz,
  -- Why a DEAD delivery was given up without (more) attempts (subscription disabled or deleted).
  dead_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT notification_deliveries_once UNIQUE (subscription_id, occurrence_key)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX notification_deliveries_log ON notification_deliveries (subscription_id, id DESC);
CREATE INDEX notification_deliveries_updated ON notification_deliveries (updated_at) WHERE status <> 'PENDING';
-- The delivery log: one row per attempt (never the secret, never more than 1 KiB of the answer).
CREATE TABLE notification_attempts (
  delivery_id text NOT NULL REFERENCES notification_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  at timestamptz NOT NULL,
  status_code integer,
  duration_ms integer NOT NULL,
  response_excerpt text,
  error text,
  PRIMARY KEY (delivery_id, attempt)
);
-- Failed attempts in a row per subscription (reset by a success and by an automatic disable).
CREATE TABLE notification_receivers (
  subscription_id text PRIMARY KEY,
  consecutive_failures integer NOT NULL
);
`,
  },
  {
    id: '011_trace_context',
    sql: `
-- OpenTelemetry: the W3C traceparent of the run's cicd.pipeline.run span, decided at trigger
-- and exported when the run ends, and its parent span id (NULL: the root of its trace).
-- NULL when tracing was off at trigger.
ALTER TABLE pipeline_runs ADD COLUMN traceparent text;
ALTER TABLE pipeline_runs ADD COLUMN trace_parent_span_id text;
`,
  },
];
