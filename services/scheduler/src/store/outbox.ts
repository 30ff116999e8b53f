import type { SqlExecutor } from '@fluxi/db';

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
 */
export class OutboxTx {
  /** The events this transaction stored, numbered (handed to the relay after commit). */
  readonly appended: OutboxEvent[] = [];

  constructor(private readonly tx: SqlExecutor) {}

  private readonly last = new Map<string, number>();

  /**
   * Stores `events` of a run in order, numbered after `lastSeq` (the run's last seq as read
   * with its lock; 0 for a new run) or after what this transaction stored for it already.
   */
  async append(pipelineRunId: string, events: readonly NewRunEvent[], at: Date, lastSeq: number): Promise<void> {
    if (events.length === 0) return;
    const first = Math.max(lastSeq, this.last.get(pipelineRunId) ?? 0) + 1;
    this.last.set(pipelineRunId, first + events.length - 1);
    const numbered = events.map((event, index) => ({
      pipelineRunId,
      seq: first + index,
      id: event.id,
      data: event.encode(first + index),
    }));
    const params: unknown[] = [pipelineRunId, at];
    const rows = numbered.map((event) => {
      params.push(event.seq, event.id, event.data);
      const n = params.length;
      return `($1, $${n - 2}, $${n - 1}, $${n}, $2)`;
    });
    await this.tx.query(
      `INSERT INTO run_events (pipeline_run_id, seq, id, data, created_at) VALUES ${rows.join(', ')}`,
      params,
    );
    this.appended.push(...numbered);
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

  /** Claims up to `maxRuns` runs whose events are not all sent, with up to `maxEventsPerRun` of each. */
  async claim(owner: string, leaseSec: number, maxRuns: number, maxEventsPerRun: number): Promise<OutboxClaim> {
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
           ORDER BY pipeline_run_id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING s.pipeline_run_id, s.sent_seq)
       SELECT c.pipeline_run_id, e.seq, e.id, e.data FROM claimed c
       LEFT JOIN LATERAL (
         SELECT seq, id, data FROM run_events
         WHERE pipeline_run_id = c.pipeline_run_id AND seq > c.sent_seq ORDER BY seq LIMIT $4) e ON true
       ORDER BY c.pipeline_run_id, e.seq`,
      [owner, leaseSec, maxRuns, maxEventsPerRun],
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
