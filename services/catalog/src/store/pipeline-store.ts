import { FluxiError, IdPrefix, newId, notFound } from '@fluxi/common';
import type { Database, SqlExecutor } from '@fluxi/db';
import type { Job } from '../domain/job.js';
import {
  referencedJobIds,
  validatePipeline,
  type Pipeline,
  type PipelineDefinition,
  type PipelineInput,
} from '../domain/pipeline.js';
import { isForeignKeyViolation, isUniqueViolation } from './sql-errors.js';
import { JOB_COLUMNS } from './job-store.js';

export const PIPELINE_COLUMNS = `id, name, description, stages, timeout_sec AS "timeoutSec", concurrency, retention,
  created_at AS "createdAt", updated_at AS "updatedAt"`;
const COLUMNS = PIPELINE_COLUMNS;

interface PipelineRow extends PipelineDefinition {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A pipeline with the current definition of every job it uses. */
export interface PipelineWithJobs {
  pipeline: Pipeline;
  jobs: Map<string, Job>;
}

/**
 * Pipelines. Each write validates the input against the jobs it references,
 * inside the transaction that writes it, so invalid input writes nothing and a
 * referenced job cannot vanish in between (its row is locked, and the
 * pipeline_jobs foreign key restricts deletes).
 */
export class PipelineStore {
  constructor(private readonly db: Database) {}

  async create(input: PipelineInput): Promise<Pipeline> {
    return this.db.transaction(async (tx) => insertPipeline(tx, await validateIn(tx, input)));
  }

  /** Replaces the whole definition of a pipeline. */
  async replace(id: string, input: PipelineInput): Promise<Pipeline> {
    return this.db.transaction(async (tx) => {
      const found = await tx.query('SELECT id FROM pipelines WHERE id = $1 FOR UPDATE', [id]);
      if (found.length === 0) throw notFound('pipeline', id);
      return updatePipelineRow(tx, id, await validateIn(tx, input));
    });
  }

  async get(id: string): Promise<Pipeline | undefined> {
    return (await this.db.query<PipelineRow>(`SELECT ${COLUMNS} FROM pipelines WHERE id = $1`, [id]))[0];
  }

  async require(id: string): Promise<Pipeline> {
    const pipeline = await this.get(id);
    if (pipeline === undefined) throw notFound('pipeline', id);
    return pipeline;
  }

  async list(): Promise<Pipeline[]> {
    return this.db.query<PipelineRow>(`SELECT ${COLUMNS} FROM pipelines ORDER BY name`);
  }

  /** Deletes a pipeline; refused with CONFLICT, naming them, while schedules trigger it. */
  async delete(id: string): Promise<void> {
    const rows = await this.db
      .transaction(async (tx) => {
        const schedules = await tx.query<{ name: string }>(
          'SELECT name FROM schedules WHERE pipeline_id = $1 ORDER BY name',
          [id],
        );
        if (schedules.length > 0) {
          const names = schedules.map((s) => s.name).join(', ');
          throw scheduledConflict(id, `schedule${schedules.length > 1 ? 's' : ''} ${names}`);
        }
        return tx.query('DELETE FROM pipelines WHERE id = $1 RETURNING id', [id]);
      })
      .catch((error: unknown) => {
        // A schedule created meanwhile: the foreign key refuses the delete.
        if (isForeignKeyViolation(error)) throw scheduledConflict(id, 'a schedule');
        throw error;
      });
    if (rows.length === 0) throw notFound('pipeline', id);
  }

  /** The pipeline and its jobs as of one instant (one repeatable-read transaction). */
  async withJobs(id: string): Promise<PipelineWithJobs> {
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const pipeline = (await tx.query<PipelineRow>(`SELECT ${COLUMNS} FROM pipelines WHERE id = $1`, [id]))[0];
      if (pipeline === undefined) throw notFound('pipeline', id);
      const jobs = await tx.query<Job>(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE id IN (SELECT job_id FROM pipeline_jobs WHERE pipeline_id = $1)`,
        [id],
      );
      return { pipeline, jobs: new Map(jobs.map((job) => [job.id, job])) };
    });
  }
}

/** Looks up (and key-share locks) the referenced jobs, then validates. */
async function validateIn(tx: SqlExecutor, input: PipelineInput): Promise<PipelineDefinition> {
  const ids = referencedJobIds(input);
  const jobs =
    ids.length === 0
      ? []
      : await tx.query<{ id: string; name: string }>(
          'SELECT id, name FROM jobs WHERE id = ANY($1::text[]) FOR KEY SHARE',
          [ids],
        );
  return validatePipeline(input, new Map(jobs.map((job) => [job.id, job.name])));
}

/** Inserts a validated pipeline whose entries' jobIds exist (caller's transaction). */
export async function insertPipeline(tx: SqlExecutor, definition: PipelineDefinition): Promise<Pipeline> {
  const rows = await tx
    .query<PipelineRow>(
      `INSERT INTO pipelines (id, name, description, stages, timeout_sec, concurrency, retention)
       VALUES ($1, $2, $3, $4::text::jsonb, $5, $6::text::jsonb, $7::text::jsonb) RETURNING ${COLUMNS}`,
      [newId(IdPrefix.pipeline), ...values(definition)],
    )
    .catch(nameConflict(definition.name));
  const pipeline = rows[0] as Pipeline;
  await writeJobRefs(tx, pipeline.id, definition);
  return pipeline;
}

/** Replaces the definition of pipeline `id` with a validated one (caller's transaction). */
export async function updatePipelineRow(
  tx: SqlExecutor,
  id: string,
  definition: PipelineDefinition,
): Promise<Pipeline> {
  const rows = await tx
    .query<PipelineRow>(
      `UPDATE pipelines SET name = $2, description = $3, stages = $4::text::jsonb, timeout_sec = $5,
         concurrency = $6::text::jsonb, retention = $7::text::jsonb, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, ...values(definition)],
    )
    .catch(nameConflict(definition.name));
  await tx.query('DELETE FROM pipeline_jobs WHERE pipeline_id = $1', [id]);
  await writeJobRefs(tx, id, definition);
  return rows[0] as Pipeline;
}

function values(definition: PipelineDefinition): unknown[] {
  return [
    definition.name,
    definition.description,
    JSON.stringify(definition.stages),
    definition.timeoutSec,
    definition.concurrency === null ? null : JSON.stringify(definition.concurrency),
    definition.retention === null ? null : JSON.stringify(definition.retention),
  ];
}

async function writeJobRefs(tx: SqlExecutor, pipelineId: string, definition: PipelineDefinition): Promise<void> {
  const ids = [...new Set(definition.stages.flatMap((stage) => stage.entries.map((entry) => entry.jobId)))];
  await tx.query('INSERT INTO pipeline_jobs (pipeline_id, job_id) SELECT $1, unnest($2::text[])', [pipelineId, ids]);
}

function scheduledConflict(id: string, schedules: string): FluxiError {
  return new FluxiError(
    'CONFLICT',
    `pipeline ${id} is triggered by ${schedules}; delete them or point them at another pipeline first`,
  );
}

function nameConflict(name: string): (error: unknown) => never {
  return (error) => {
    if (isUniqueViolation(error, 'pipelines_name_key')) {
      throw new FluxiError('CONFLICT', `a pipeline named ${name} already exists`, { field: 'input.name' });
    }
    throw error;
  };
}
