import { badInput, FluxiError, IdPrefix, newId, notFound } from '@fluxi/common';
import { isForeignKeyViolation, isUniqueViolation, type Database, type SqlExecutor } from '@fluxi/db';
import {
  applySchedulePatch,
  timingChanged,
  validateSchedule,
  type Schedule,
  type ScheduleDefinition,
  type ScheduleInput,
} from '../domain/schedule.js';

/** Columns of a Schedule, targets in order as `[{ pipelineId, jobId }]` (table alias `s`). */
export const SCHEDULE_COLUMNS = `s.id, s.name, s.cron, s.at, s.timezone, s.enabled, s.overlap,
  s.missed_fires AS "missedFires", s.active_since AS "activeSince", s.created_at AS "createdAt",
  s.updated_at AS "updatedAt",
  COALESCE((SELECT jsonb_agg(jsonb_build_object('pipelineId', t.pipeline_id, 'jobId', t.job_id) ORDER BY t.position)
    FROM schedule_targets t WHERE t.schedule_id = s.id), '[]'::jsonb) AS targets`;

/** Schedules: stored definitions validated inside the transaction that writes them. */
export class ScheduleStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: ScheduleInput): Promise<Schedule> {
    const schedule = validateSchedule(input, 'input', { now: this.now() });
    return this.db.transaction(async (tx) => insertSchedule(tx, schedule, targetFields(input)));
  }

  async get(id: string): Promise<Schedule | undefined> {
    return (await this.db.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules s WHERE s.id = $1`, [id]))[0];
  }

  async require(id: string): Promise<Schedule> {
    const schedule = await this.get(id);
    if (schedule === undefined) throw notFound('schedule', id);
    return schedule;
  }

  async list(): Promise<Schedule[]> {
    return this.db.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules s ORDER BY s.name`);
  }

  /** Updates the fields present in `patch` (null resets an optional field). */
  async update(id: string, patch: ScheduleInput): Promise<Schedule> {
    return this.db.transaction(async (tx) => {
      const current = (
        await tx.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules s WHERE s.id = $1 FOR UPDATE`, [id])
      )[0];
      if (current === undefined) throw notFound('schedule', id);
      return updateScheduleRow(tx, id, applySchedulePatch(current, patch, 'input', this.now()), targetFields(patch));
    });
  }

  async delete(id: string): Promise<void> {
    const rows = await this.db.query('DELETE FROM schedules WHERE id = $1 RETURNING id', [id]);
    if (rows.length === 0) throw notFound('schedule', id);
  }
}

/** Names of the schedules that start a pipeline or a job (a delete of it is refused while there are any). */
export async function schedulesTargeting(tx: SqlExecutor, target: { pipelineId: string } | { jobId: string }) {
  const [column, id] = 'pipelineId' in target ? ['pipeline_id', target.pipelineId] : ['job_id', target.jobId];
  const rows = await tx.query<{ name: string }>(
    `SELECT DISTINCT s.name FROM schedule_targets t JOIN schedules s ON s.id = t.schedule_id
     WHERE t.${column} = $1 ORDER BY s.name`,
    [id],
  );
  return rows.map((row) => row.name);
}

/** Where each target's id came from, for errors: `input.targets[i].pipelineId`, or `input.pipelineId`. */
type TargetFields = (index: number, kind: 'pipelineId' | 'jobId') => string;

function targetFields(input: ScheduleInput, path = 'input'): TargetFields {
  const shorthand = input.targets === undefined || input.targets === null;
  return (index, kind) => (shorthand ? `${path}.pipelineId` : `${path}.targets[${index}].${kind}`);
}

/** Inserts a validated schedule; an unknown target is bad input at its field. */
export async function insertSchedule(
  tx: SqlExecutor,
  schedule: ScheduleDefinition,
  fields: TargetFields = targetFields({}),
): Promise<Schedule> {
  const id = newId(IdPrefix.schedule);
  await tx
    .query(
      `INSERT INTO schedules (id, name, cron, at, timezone, enabled, overlap, missed_fires)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, ...values(schedule)],
    )
    .catch(writeError(schedule));
  await writeTargets(tx, id, schedule, fields);
  return readSchedule(tx, id);
}

/** Replaces the definition of schedule `id` with a validated one. */
export async function updateScheduleRow(
  tx: SqlExecutor,
  id: string,
  schedule: ScheduleDefinition,
  fields: TargetFields = targetFields({}),
): Promise<Schedule> {
  const current = await readSchedule(tx, id);
  await tx
    .query(
      `UPDATE schedules SET name = $2, cron = $3, at = $4, timezone = $5, enabled = $6, overlap = $7,
         missed_fires = $8, updated_at = now(), active_since = CASE WHEN $9::boolean THEN now() ELSE active_since END
       WHERE id = $1`,
      [id, ...values(schedule), timingChanged(current, schedule)],
    )
    .catch(writeError(schedule));
  await tx.query('DELETE FROM schedule_targets WHERE schedule_id = $1', [id]);
  await writeTargets(tx, id, schedule, fields);
  return readSchedule(tx, id);
}

async function readSchedule(tx: SqlExecutor, id: string): Promise<Schedule> {
  const row = (await tx.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules s WHERE s.id = $1`, [id]))[0];
  if (row === undefined) throw notFound('schedule', id);
  return row;
}

/** Key-share locks each target so it cannot be deleted before the schedule is written. */
async function writeTargets(
  tx: SqlExecutor,
  scheduleId: string,
  schedule: ScheduleDefinition,
  fields: TargetFields,
): Promise<void> {
  for (const [position, target] of schedule.targets.entries()) {
    const [table, kind, id] =
      target.pipelineId !== null
        ? (['pipelines', 'pipelineId', target.pipelineId] as const)
        : (['jobs', 'jobId', target.jobId as string] as const);
    const found = await tx.query(`SELECT id FROM ${table} WHERE id = $1 FOR KEY SHARE`, [id]);
    const what = kind === 'pipelineId' ? 'pipeline' : 'job';
    if (found.length === 0) throw badInput(`${what} ${id} does not exist`, fields(position, kind));
    await tx
      .query('INSERT INTO schedule_targets (schedule_id, position, pipeline_id, job_id) VALUES ($1, $2, $3, $4)', [
        scheduleId,
        position,
        target.pipelineId,
        target.jobId,
      ])
      .catch((error: unknown) => {
        if (isForeignKeyViolation(error)) throw badInput(`${what} ${id} does not exist`, fields(position, kind));
        throw error;
      });
  }
}

function values(schedule: ScheduleDefinition): unknown[] {
  return [
    schedule.name,
    schedule.cron,
    schedule.at?.toISOString() ?? null,
    schedule.timezone,
    schedule.enabled,
    schedule.overlap,
    schedule.missedFires,
  ];
}

function writeError(schedule: ScheduleDefinition): (error: unknown) => never {
  return (error) => {
    if (isUniqueViolation(error, 'schedules_name_key')) {
      throw new FluxiError('CONFLICT', `a schedule named ${schedule.name} already exists`, { field: 'input.name' });
    }
    throw error;
  };
}
