import type { SqlExecutor } from '@fluxi/db';
import type { StoredJson } from './records.js';

/** A run event to store: its id and its proto JSON without `seq` (the store numbers it). */
export interface NewRunEvent {
  readonly id: string;
  readonly body: StoredJson;
}

/**
 * The run-event outbox inside an engine transaction: events are numbered per pipeline run
 * (`run_event_streams.last_seq`, whose row stays locked until commit, so numbers follow
 * commit order with no gap: a rolled-back transaction gives its numbers back) and stored
 * with the change they describe.
 */
export class OutboxTx {
  /** Whether this transaction stored events (the relay is woken after commit). */
  appended = false;

  constructor(private readonly tx: SqlExecutor) {}

  /** Stores `events` of a run, numbered after its last one, in order. One statement. */
  async append(pipelineRunId: string, events: readonly NewRunEvent[], at: Date): Promise<void> {
    if (events.length === 0) return;
    await this.tx.query(
      `WITH bumped AS (
         INSERT INTO run_event_streams (pipeline_run_id, last_seq) VALUES ($1, $2::bigint)
         ON CONFLICT (pipeline_run_id) DO UPDATE SET last_seq = run_event_streams.last_seq + EXCLUDED.last_seq
         RETURNING last_seq)
       INSERT INTO run_events (pipeline_run_id, seq, id, body, created_at)
       SELECT $1, bumped.last_seq - $2::bigint + v.n, v.id, v.body::jsonb, $5
       FROM bumped, unnest($3::text[], $4::text[]) WITH ORDINALITY AS v (id, body, n)`,
      [
        pipelineRunId,
        events.length,
        events.map((event) => event.id),
        events.map((event) => JSON.stringify(event.body)),
        at,
      ],
    );
    this.appended = true;
  }
}

/** A stored event the relay publishes. */
export interface OutboxEvent {
  readonly pipelineRunId: string;
  readonly seq: number;
  readonly body: StoredJson;
}

/** The unsent events of the runs a relay claimed, in seq order per run. */
export interface OutboxClaim {
  readonly runs: readonly string[];
  readonly events: readonly OutboxEvent[];
}

/**
 * The relay's side of the outbox. A relay claims runs with unsent events for a while
 * (`relay_owner`, `relay_until`: a lease per run, taken with SKIP LOCKED), publishes their
 * events in order, then records how far it got and lets go. Two schedulers never publish
 * one run's events at the same time, so each run's events reach the stream in order.
 */
export class OutboxStore {
  constructor(private readonly db: SqlExecutor) {}

  /** Claims up to `maxRuns` runs whose events are not all sent, with up to `maxEventsPerRun` of each. */
  async claim(owner: string, leaseSec: number, maxRuns: number, maxEventsPerRun: number): Promise<OutboxClaim> {
    const rows = await this.db.query<{ pipeline_run_id: string; seq: string | number | null; body: StoredJson }>(
      `WITH claimed AS (
         UPDATE run_event_streams s SET relay_owner = $1, relay_until = now() + make_interval(secs => $2)
         WHERE s.pipeline_run_id IN (
           SELECT pipeline_run_id FROM run_event_streams
           WHERE sent_seq < last_seq AND (relay_until IS NULL OR relay_until < now())
           ORDER BY pipeline_run_id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING s.pipeline_run_id, s.sent_seq)
       SELECT c.pipeline_run_id, e.seq, e.body FROM claimed c
       LEFT JOIN LATERAL (
         SELECT seq, body FROM run_events
         WHERE pipeline_run_id = c.pipeline_run_id AND seq > c.sent_seq ORDER BY seq LIMIT $4) e ON true
       ORDER BY c.pipeline_run_id, e.seq`,
      [owner, leaseSec, maxRuns, maxEventsPerRun],
    );
    const runs = [...new Set(rows.map((row) => row.pipeline_run_id))];
    const events = rows.flatMap((row) =>
      row.seq === null ? [] : [{ pipelineRunId: row.pipeline_run_id, seq: Number(row.seq), body: row.body }],
    );
    return { runs, events };
  }

  /**
   * Records the last event published of each claimed run (0: none) and lets the runs go.
   * Returns the runs that have more to send (events committed meanwhile, or left by a failure).
   */
  async release(owner: string, sent: ReadonlyMap<string, number>): Promise<string[]> {
    if (sent.size === 0) return [];
    const rows = await this.db.query<{ pipeline_run_id: string; more: boolean }>(
      `UPDATE run_event_streams s SET sent_seq = GREATEST(s.sent_seq, v.sent), relay_owner = NULL, relay_until = NULL
       FROM unnest($2::text[], $3::bigint[]) AS v (id, sent)
       WHERE s.pipeline_run_id = v.id AND s.relay_owner = $1
       RETURNING s.pipeline_run_id, s.sent_seq < s.last_seq AS more`,
      [owner, [...sent.keys()], [...sent.values()]],
    );
    return rows.filter((row) => row.more).map((row) => row.pipeline_run_id);
  }

  /** Deletes events published before `before`. Returns how many. */
  async pruneSent(before: Date): Promise<number> {
    const rows = await this.db.query<{ n: string | number }>(
      `WITH gone AS (
         DELETE FROM run_events e USING run_event_streams s
         WHERE s.pipeline_run_id = e.pipeline_run_id AND e.seq <= s.sent_seq AND e.created_at < $1
         RETURNING 1)
       SELECT count(*) AS n FROM gone`,
      [before],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** How many events wait to be published. */
  async unsent(): Promise<number> {
    const rows = await this.db.query<{ n: string | number | null }>(
      'SELECT sum(last_seq - sent_seq) AS n FROM run_event_streams WHERE sent_seq < last_seq',
    );
    return Number(rows[0]?.n ?? 0);
  }
}
