import type { Database, SqlExecutor } from '@fluxi/db';
import type { FireRecord, FireStatus, TargetOutcome } from '../domain/fire-records.js';
import type { ScheduleTarget } from '../domain/schedule-spec.js';
import type { QueuedFire, ScheduleHistoryPort } from '../engine/systems/schedules.js';

/** One target's part of a fire, as stored in `schedule_fires.runs`. */
export interface StoredFireRun {
  pipelineId?: string;
  jobId?: string;
  pipelineRunId?: string;
  number?: number;
  created?: boolean;
  queued?: boolean;
  skipped?: string;
  error?: string;
}

/** A row of a schedule's history. */
export interface ScheduleFireRow {
  scheduleId: string;
  plannedAt: Date;
  status: FireStatus;
  reason: string | null;
  firedAt: Date | null;
  runs: StoredFireRun[];
  skippedAfter: Date | null;
  skippedCount: number | null;
}

const ROWS_PER_INSERT = 500;
/** The reason a queued fire's record keeps once it started. */
export const RELEASED = 'queued until the previous run of the target ended (overlap: queue)';
/** The overlap check looks at this many of the latest runs a schedule started for a target. */
const RECENT_RUNS = 100;

function storedRun(outcome: TargetOutcome): StoredFireRun {
  const target = outcome.target.kind === 'pipeline' ? { pipelineId: outcome.target.id } : { jobId: outcome.target.id };
  if ('started' in outcome) {
    const { runId, number, created } = outcome.started;
    return { ...target, pipelineRunId: runId, number, created };
  }
  if ('queued' in outcome) return { ...target, queued: true };
  if ('skipped' in outcome) return { ...target, skipped: outcome.skipped };
  return { ...target, error: outcome.error };
}

/** The history of schedule fires (`schedule_fires`) and the overlap bookkeeping (`schedule_runs`, `schedule_queue`). */
export class ScheduleHistoryStore implements ScheduleHistoryPort {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async handledThrough(ids: string[]): Promise<Map<string, Date>> {
    const rows = await this.db.query<{ scheduleId: string; through: Date }>(
      `SELECT schedule_id AS "scheduleId", max(planned_at) AS through FROM schedule_fires
       WHERE schedule_id = ANY($1::text[]) GROUP BY schedule_id`,
      [ids],
    );
    return new Map(rows.map((row) => [row.scheduleId, row.through]));
  }

  async record(records: FireRecord[]): Promise<void> {
    const recordedAt = this.now().toISOString();
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
        await insertFires(tx, records.slice(i, i + ROWS_PER_INSERT), recordedAt);
      }
      const started = records.flatMap((record) =>
        record.outcomes.flatMap((o) => ('started' in o ? [{ record, target: o.target, runId: o.started.runId }] : [])),
      );
      for (let i = 0; i < started.length; i += ROWS_PER_INSERT) {
        const chunk = started.slice(i, i + ROWS_PER_INSERT);
        const params = chunk.flatMap((s) => [
          s.record.scheduleId,
          s.target.id,
          s.record.planned.toISOString(),
          s.runId,
        ]);
        await tx.query(
          `INSERT INTO schedule_runs (schedule_id, target_id, planned_at, pipeline_run_id)
           VALUES ${placeholders(chunk.length, 4)} ON CONFLICT DO NOTHING`,
          params,
        );
      }
    });
  }

  async openRun(scheduleId: string, targetId: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM (SELECT pipeline_run_id FROM schedule_runs WHERE schedule_id = $1 AND target_id = $2
         ORDER BY planned_at DESC LIMIT ${RECENT_RUNS}) s
       JOIN pipeline_runs r ON r.id = s.pipeline_run_id WHERE r.ended_at IS NULL LIMIT 1`,
      [scheduleId, targetId],
    );
    return rows.length > 0;
  }

  async queuedCount(scheduleId: string, targetId: string): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM schedule_queue WHERE schedule_id = $1 AND target_id = $2',
      [scheduleId, targetId],
    );
    return rows[0]?.n ?? 0;
  }

  async queue(fire: QueuedFire, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO schedule_queue (schedule_id, target_id, target_kind, planned_at, queued_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [fire.scheduleId, fire.target.id, fire.target.kind, fire.planned.toISOString(), at.toISOString()],
    );
  }

  async queuedReady(): Promise<QueuedFire[]> {
    const rows = await this.db.query<{ scheduleId: string; targetId: string; kind: string; planned: Date }>(
      `SELECT q.schedule_id AS "scheduleId", q.target_id AS "targetId", q.target_kind AS kind, q.planned_at AS planned
       FROM schedule_queue q
       WHERE NOT EXISTS (
         SELECT 1 FROM (SELECT pipeline_run_id FROM schedule_runs s
           WHERE s.schedule_id = q.schedule_id AND s.target_id = q.target_id ORDER BY planned_at DESC LIMIT ${RECENT_RUNS}) s
         JOIN pipeline_runs r ON r.id = s.pipeline_run_id WHERE r.ended_at IS NULL)
       ORDER BY q.queued_at`,
    );
    return rows.map((row) => ({
      scheduleId: row.scheduleId,
      target: { kind: row.kind === 'job' ? 'job' : 'pipeline', id: row.targetId } satisfies ScheduleTarget,
      planned: row.planned,
    }));
  }

  async dequeued(fire: QueuedFire, outcome: TargetOutcome, at: Date): Promise<void> {
    const run = storedRun(outcome);
    const started = 'started' in outcome;
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM schedule_queue WHERE schedule_id = $1 AND target_id = $2', [
        fire.scheduleId,
        fire.target.id,
      ]);
      // The queued entry of the fire's runs becomes what it got.
      await tx.query(
        `UPDATE schedule_fires SET
           runs = (SELECT COALESCE(jsonb_agg(CASE WHEN (e->>'queued')::boolean
                      AND COALESCE(e->>'pipelineId', e->>'jobId') = $3 THEN $4::text::jsonb ELSE e END), '[]'::jsonb)
                   FROM jsonb_array_elements(runs) e),
           status = CASE WHEN $5::boolean THEN 'FIRED' WHEN status = 'QUEUED' THEN 'SKIPPED' ELSE status END,
           fired_at = CASE WHEN $5::boolean THEN $6::timestamptz ELSE fired_at END,
           reason = CASE WHEN $5::boolean THEN '${RELEASED}' ELSE $7 END
         WHERE schedule_id = $1 AND planned_at = $2`,
        [
          fire.scheduleId,
          fire.planned.toISOString(),
          fire.target.id,
          JSON.stringify(run),
          started,
          at.toISOString(),
          run.skipped ?? run.error ?? null,
        ],
      );
      if (started) {
        await tx.query(
          `INSERT INTO schedule_runs (schedule_id, target_id, planned_at, pipeline_run_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [fire.scheduleId, fire.target.id, fire.planned.toISOString(), run.pipelineRunId],
        );
      }
    });
  }

  /** A schedule's history, newest first: `first` rows planned before `before` (a cursor), or from the latest. */
  async page(scheduleId: string, first: number, before: Date | null): Promise<ScheduleFireRow[]> {
    return this.db.query<ScheduleFireRow>(
      `SELECT schedule_id AS "scheduleId", planned_at AS "plannedAt", status, reason, fired_at AS "firedAt", runs,
         skipped_after AS "skippedAfter", skipped_count AS "skippedCount"
       FROM schedule_fires WHERE schedule_id = $1 AND ($2::timestamptz IS NULL OR planned_at < $2)
       ORDER BY planned_at DESC LIMIT $3`,
      [scheduleId, before?.toISOString() ?? null, first],
    );
  }

  /** Deletes history recorded before `before` (run retention); returns how many fires. */
  async prune(before: Date): Promise<number> {
    const fires = await this.db.query('DELETE FROM schedule_fires WHERE recorded_at < $1 RETURNING 1', [
      before.toISOString(),
    ]);
    await this.db.query('DELETE FROM schedule_runs WHERE planned_at < $1', [before.toISOString()]);
    return fires.length;
  }
}

async function insertFires(tx: SqlExecutor, records: FireRecord[], recordedAt: string): Promise<void> {
  const params = records.flatMap((r) => [
    r.scheduleId,
    r.planned.toISOString(),
    r.status,
    r.reason,
    r.firedAt?.toISOString() ?? null,
    JSON.stringify(r.outcomes.map(storedRun)),
    r.skippedAfter?.toISOString() ?? null,
    r.skippedCount,
    recordedAt,
  ]);
  await tx.query(
    `INSERT INTO schedule_fires (schedule_id, planned_at, status, reason, fired_at, runs, skipped_after, skipped_count,
       recorded_at)
     VALUES ${placeholders(records.length, 9, { 6: '::text::jsonb' })} ON CONFLICT DO NOTHING`,
    params,
  );
}

/** `($1, $2, …), (…)` for `rows` rows of `columns` parameters; `casts` by 1-based column. */
function placeholders(rows: number, columns: number, casts: Record<number, string> = {}): string {
  return Array.from(
    { length: rows },
    (_, r) =>
      `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}${casts[c + 1] ?? ''}`).join(', ')})`,
  ).join(', ');
}
