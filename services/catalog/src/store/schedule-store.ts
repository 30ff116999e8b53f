import { badInput, FluxiError, IdPrefix, newId, notFound } from '@fluxi/common';
import type { Database, SqlExecutor } from '@fluxi/db';
import {
  applySchedulePatch,
  validateSchedule,
  type Schedule,
  type ScheduleDefinition,
  type ScheduleInput,
} from '../domain/schedule.js';
import { isForeignKeyViolation, isUniqueViolation } from './sql-errors.js';

export const SCHEDULE_COLUMNS = `id, name, pipeline_id AS "pipelineId", cron, at, timezone, enabled,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Schedules: stored triggers of pipelines, validated inside the transaction that writes them. */
export class ScheduleStore {
  constructor(private readonly db: Database) {}

  async create(input: ScheduleInput): Promise<Schedule> {
    const schedule = validateSchedule(input);
    return this.db.transaction(async (tx) => insertSchedule(tx, schedule));
  }

  async get(id: string): Promise<Schedule | undefined> {
    return (await this.db.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = $1`, [id]))[0];
  }

  async require(id: string): Promise<Schedule> {
    const schedule = await this.get(id);
    if (schedule === undefined) throw notFound('schedule', id);
    return schedule;
  }

  async list(): Promise<Schedule[]> {
    return this.db.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules ORDER BY name`);
  }

  /** Updates the fields present in `patch` (null clears an optional field). */
  async update(id: string, patch: ScheduleInput): Promise<Schedule> {
    return this.db.transaction(async (tx) => {
      const current = (
        await tx.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = $1 FOR UPDATE`, [id])
      )[0];
      if (current === undefined) throw notFound('schedule', id);
      return updateScheduleRow(tx, id, applySchedulePatch(current, patch));
    });
  }

  async delete(id: string): Promise<void> {
    const rows = await this.db.query('DELETE FROM schedules WHERE id = $1 RETURNING id', [id]);
    if (rows.length === 0) throw notFound('schedule', id);
  }
}

/** Inserts a validated schedule; an unknown pipeline is bad input at `input.pipelineId`. */
export async function insertSchedule(tx: SqlExecutor, schedule: ScheduleDefinition): Promise<Schedule> {
  await requirePipeline(tx, schedule.pipelineId);
  const rows = await tx
    .query<Schedule>(
      `INSERT INTO schedules (id, name, pipeline_id, cron, at, timezone, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${SCHEDULE_COLUMNS}`,
      [newId(IdPrefix.schedule), ...values(schedule)],
    )
    .catch(writeError(schedule));
  return rows[0] as Schedule;
}

/** Replaces the definition of schedule `id` with a validated one. */
export async function updateScheduleRow(tx: SqlExecutor, id: string, schedule: ScheduleDefinition): Promise<Schedule> {
  await requirePipeline(tx, schedule.pipelineId);
  const rows = await tx
    .query<Schedule>(
      `UPDATE schedules SET name = $2, pipeline_id = $3, cron = $4, at = $5, timezone = $6, enabled = $7,
         updated_at = now()
       WHERE id = $1 RETURNING ${SCHEDULE_COLUMNS}`,
      [id, ...values(schedule)],
    )
    .catch(writeError(schedule));
  return rows[0] as Schedule;
}

/** Key-share locks the pipeline so it cannot be deleted before the schedule is written. */
async function requirePipeline(tx: SqlExecutor, pipelineId: string): Promise<void> {
  const found = await tx.query('SELECT id FROM pipelines WHERE id = $1 FOR KEY SHARE', [pipelineId]);
  if (found.length === 0) throw badInput(`pipeline ${pipelineId} does not exist`, 'input.pipelineId');
}

function values(schedule: ScheduleDefinition): unknown[] {
  return [
    schedule.name,
    schedule.pipelineId,
    schedule.cron,
    schedule.at?.toISOString() ?? null,
    schedule.timezone,
    schedule.enabled,
  ];
}

function writeError(schedule: ScheduleDefinition): (error: unknown) => never {
  return (error) => {
    if (isUniqueViolation(error, 'schedules_name_key')) {
      throw new FluxiError('CONFLICT', `a schedule named ${schedule.name} already exists`, { field: 'input.name' });
    }
    if (isForeignKeyViolation(error)) {
      throw badInput(`pipeline ${schedule.pipelineId} does not exist`, 'input.pipelineId');
    }
    throw error;
  };
}
