import type { SqlExecutor } from '@fluxi/db';
import type { PendingStatement, WriteBehind } from './write-behind.js';

/** A run event to store: its id, and its message as published once the store has numbered it. */
export interface NewRunEvent {
  readonly id: string;
  encode(seq: number): Uint8Array;
}

/**
 * The run-event outbox inside an engine transaction: events are stored with the change
 * they describe, as the message to publish, numbered after the run's last stored event.
 * The caller holds the run's row lock (`RunTx.lockRun`, which reads that last seq after
 * taking the lock): numbers follow commit order with no gap, and a rolled-back transaction
 * leaves none used. A trigger keeps `run_event_streams.last_seq` (one statement per call).
 *
 * Appended events wait as pending rows: the transaction's next flush of its writes kept back
 * (`RunTx.flush`, before a read and before the commit) stores them in the same statement as the
 * job-run updates (a data-modifying CTE: one statement fewer per step on the hot path).
 */
export class OutboxTx implements WriteBehind {
  /** The events this transaction stored, numbered (handed to the relay after commit). */
  readonly appended: OutboxEvent[] = [];
  private readonly pending: { pipelineRunId: string; at: Date; events: OutboxEvent[] }[] = [];

  private readonly last = new Map<string, number>();

  /**
   * Adds `events` of a run in order, numbered after `lastSeq` (the run's last seq as read
   * with its lock; 0 for a new run) or after what this transaction stored for it already.
   */
  append(pipelineRunId: string, events: readonly NewRunEvent[], at: Date, lastSeq: number): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const first = Math.max(lastSeq, this.last.get(pipelineRunId) ?? 0) + 1;
    this.last.set(pipelineRunId, first + events.length - 1);
    const numbered = events.map((event, index) => ({
      pipelineRunId,
      seq: first + index,
      id: event.id,
      data: event.encode(first + index),
    }));
    this.pending.push({ pipelineRunId, at, events: numbered });
    this.appended.push(...numbered);
    return Promise.resolve();
  }

  /**
   * The INSERT of every pending row, its parameters numbered from `$<offset + 1>`, for a
   * statement that writes them along with its own; the rows are no longer pending.
   * Undefined when none is pending.
   */
  takePending(offset: number): PendingStatement | undefined {
    if (this.pending.length === 0) return undefined;
    const params: unknown[] = [];
    const rows: string[] = [];
    for (const { pipelineRunId, at, events } of this.pending.splice(0)) {
      for (const event of events) {
        params.push(pipelineRunId, event.seq, event.id, event.data, at);
        const n = offset + params.length;
        rows.push(`($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::timestamptz)`);
      }
    }
    const sql = `INSERT INTO run_events (pipeline_run_id, seq, id, data, created_at) VALUES ${rows.join(', ')}`;
    return { sql, params };
  }
}

/** A stored event the relay publishes. */
export interface OutboxEvent {
  readonly pipelineRunId: string;
  readonly seq: number;
  /** The message id. */
  readonly id: string;
  /** The message: a binary RunEvent. */
  readonly data: Uint8Array;
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

  /**
   * Claims up to `maxRuns` runs whose events are not all sent, with up to `maxEventsPerRun` of each;
   * only runs whose first unsent event is at least `graceMs` old (younger ones are being published
   * by the relay of the scheduler that committed them), and none of `skip` (runs the caller's own
   * hot path is publishing: reading their events would only be thrown away).
   */
  async claim(
    owner: string,
    leaseSec: number,
    maxRuns: number,
    maxEventsPerRun: number,
    graceMs = 0,
    skip: readonly string[] = [],
  ): Promise<OutboxClaim> {
    const rows = await this.db.query<{
      pipeline_run_id: string;
      seq: string | number | null;
      id: string | null;
      data: Uint8Array | null;
    }>(
      `WITH claimed AS (
         UPDATE run_event_streams s SET relay_owner = $1, relay_until = now() + make_interval(secs => $2)
         WHERE s.pipeline_run_id IN (
           SELECT pipeline_run_id FROM run_event_streams
           WHERE sent_seq < last_seq AND (relay_until IS NULL OR relay_until < now())
             AND pipeline_run_id <> ALL($6::text[])
             AND ($5::integer = 0 OR EXISTS (
               SELECT 1 FROM run_events f WHERE f.pipeline_run_id = run_event_streams.pipeline_run_id
                 AND f.seq = run_event_streams.sent_seq + 1 AND f.created_at <= now() - make_interval(secs => $5::integer / 1000.0)))
           ORDER BY pipeline_run_id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING s.pipeline_run_id, s.sent_seq)
       SELECT c.pipeline_run_id, e.seq, e.id, e.data FROM claimed c
       LEFT JOIN LATERAL (
         SELECT seq, id, data FROM run_events
         WHERE pipeline_run_id = c.pipeline_run_id AND seq > c.sent_seq ORDER BY seq LIMIT $4) e ON true
       ORDER BY c.pipeline_run_id, e.seq`,
      [owner, leaseSec, maxRuns, maxEventsPerRun, graceMs, skip],
    );
    const runs = [...new Set(rows.map((row) => row.pipeline_run_id))];
    const events = rows.flatMap((row) =>
      row.seq === null || row.id === null || row.data === null
        ? []
        : [{ pipelineRunId: row.pipeline_run_id, seq: Number(row.seq), id: row.id, data: row.data }],
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

  /** Records events published without a claim (right after their commit): the last seq per run. */
  async markSent(sent: ReadonlyMap<string, number>): Promise<void> {
    if (sent.size === 0) return;
    await this.db.query(
      `UPDATE run_event_streams s SET sent_seq = GREATEST(s.sent_seq, v.sent)
       FROM unnest($1::text[], $2::bigint[]) AS v (id, sent)
       WHERE s.pipeline_run_id = v.id AND s.sent_seq < v.sent`,
      [[...sent.keys()], [...sent.values()]],
    );
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
