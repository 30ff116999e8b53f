import { FluxiError, IdPrefix, newId, notFound } from '@fluxi/common';
import type { Database, SqlExecutor } from '@fluxi/db';
import type { Job } from '../domain/job.js';
import {
  referencedJobIds,
  validatePipeline,
  type Pipeline,
  type PipelineDefinition,
  type PipelineInput,
  type StageDefinition,
} from '../domain/pipeline.js';
import { isUniqueViolation } from './sql-errors.js';
import { JOB_COLUMNS } from './job-store.js';

const COLUMNS = `id, name, description, stages, created_at AS "createdAt", updated_at AS "updatedAt"`;

interface PipelineRow {
  id: string;
  name: string;
  description: string | null;
  stages: StageDefinition[];
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
    return this.db.transaction(async (tx) => {
      const definition = await validateIn(tx, input);
      const rows = await tx
        .query<PipelineRow>(
          `INSERT INTO pipelines (id, name, description, stages) VALUES ($1, $2, $3, $4::text::jsonb) RETURNING ${COLUMNS}`,
          [newId(IdPrefix.pipeline), definition.name, definition.description, JSON.stringify(definition.stages)],
        )
        .catch(nameConflict(definition.name));
      const pipeline = rows[0] as Pipeline;
      await writeJobRefs(tx, pipeline.id, definition);
      return pipeline;
    });
  }

  /** Replaces the whole definition of a pipeline. */
  async replace(id: string, input: PipelineInput): Promise<Pipeline> {
    return this.db.transaction(async (tx) => {
      const found = await tx.query('SELECT id FROM pipelines WHERE id = $1 FOR UPDATE', [id]);
      if (found.length === 0) throw notFound('pipeline', id);
      const definition = await validateIn(tx, input);
      const rows = await tx
        .query<PipelineRow>(
          `UPDATE pipelines SET name = $2, description = $3, stages = $4::text::jsonb, updated_at = now()
           WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, definition.name, definition.description, JSON.stringify(definition.stages)],
        )
        .catch(nameConflict(definition.name));
      await tx.query('DELETE FROM pipeline_jobs WHERE pipeline_id = $1', [id]);
      await writeJobRefs(tx, id, definition);
      return rows[0] as Pipeline;
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

  async delete(id: string): Promise<void> {
    const rows = await this.db.query('DELETE FROM pipelines WHERE id = $1 RETURNING id', [id]);
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

async function writeJobRefs(tx: SqlExecutor, pipelineId: string, definition: PipelineDefinition): Promise<void> {
  const ids = [...new Set(definition.stages.flatMap((stage) => stage.entries.map((entry) => entry.jobId)))];
  await tx.query('INSERT INTO pipeline_jobs (pipeline_id, job_id) SELECT $1, unnest($2::text[])', [pipelineId, ids]);
}

function nameConflict(name: string): (error: unknown) => never {
  return (error) => {
    if (isUniqueViolation(error, 'pipelines_name_key')) {
      throw new FluxiError('CONFLICT', `a pipeline named ${name} already exists`, { field: 'input.name' });
    }
    throw error;
  };
}
