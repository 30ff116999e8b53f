import { badInput, FluxiError, IdPrefix, newId, notFound } from '@fluxi/common';
import { isForeignKeyViolation, isUniqueViolation, type Database, type SqlExecutor } from '@fluxi/db';
import type { WebhookSecrets } from '../domain/webhook-secrets.js';
import { validateWebhookSecret, webhookSecretOf, type GitSource } from '../domain/git-source.js';
import type { Job } from '../domain/job.js';
import {
  referencedJobIds,
  validatePipeline,
  type Pipeline,
  type PipelineDefinition,
  type PipelineInput,
} from '../domain/pipeline.js';
import { JOB_COLUMNS } from './job-store.js';
import { schedulesTargeting } from './schedule-store.js';

/** Never the webhook secret: it is read by `webhookPipelines` only. */
export const PIPELINE_COLUMNS = `id, name, description, stages, timeout_sec AS "timeoutSec", concurrency, retention, git,
  webhook_secret_set_at AS "webhookSecretSetAt", created_at AS "createdAt", updated_at AS "updatedAt"`;
const COLUMNS = PIPELINE_COLUMNS;

interface PipelineRow extends PipelineDefinition {
  id: string;
  webhookSecretSetAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A pipeline a git webhook delivery may start, with its secret in the clear. */
export interface WebhookPipelineSecret {
  pipelineId: string;
  git: GitSource;
  secret: string;
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
  constructor(
    private readonly db: Database,
    private readonly secrets: WebhookSecrets,
  ) {}

  /** `input.git.webhookSecret`, when given, is stored encrypted in the same transaction. */
  async create(input: PipelineInput): Promise<Pipeline> {
    return this.db.transaction(async (tx) => {
      const pipeline = await insertPipeline(tx, await validateIn(tx, input));
      const secret = webhookSecretOf(input);
      return secret === undefined ? pipeline : this.writeSecret(tx, pipeline.id, secret);
    });
  }

  /**
   * Replaces the whole definition of a pipeline. Its webhook secret is replaced when
   * `input.git.webhookSecret` is given, kept when not, and cleared with the git source.
   */
  async replace(id: string, input: PipelineInput): Promise<Pipeline> {
    return this.db.transaction(async (tx) => {
      const found = await tx.query('SELECT id FROM pipelines WHERE id = $1 FOR UPDATE', [id]);
      if (found.length === 0) throw notFound('pipeline', id);
      const pipeline = await updatePipelineRow(tx, id, await validateIn(tx, input));
      const secret = webhookSecretOf(input);
      return secret === undefined ? pipeline : this.writeSecret(tx, id, secret);
    });
  }

  /** Sets (encrypted) or, with null, clears the webhook secret of a pipeline that has a git source. */
  async setWebhookSecret(id: string, secret: string | null): Promise<Pipeline> {
    if (secret !== null) validateWebhookSecret(secret, 'secret');
    return this.db.transaction(async (tx) => {
      const found = await tx.query<{ git: unknown }>('SELECT git FROM pipelines WHERE id = $1 FOR UPDATE', [id]);
      if (found.length === 0) throw notFound('pipeline', id);
      if (secret !== null && found[0]?.git === null) {
        throw badInput(`pipeline ${id} has no git source: set its git.repository first`, 'pipelineId');
      }
      return this.writeSecret(tx, id, secret);
    });
  }

  /**
   * The pipelines of a repository (by `repositoryKey`) that have a webhook secret, with the secret
   * opened: for the gateway's signature check only. A secret that does not open (another key) is
   * reported through `unreadable` and its pipeline left out.
   */
  async webhookPipelines(
    repositoryKey: string,
    unreadable: (pipelineId: string, error: unknown) => void,
  ): Promise<WebhookPipelineSecret[]> {
    const rows = await this.db.query<{ id: string; git: GitSource; sealed: string }>(
      `SELECT id, git, webhook_secret AS sealed FROM pipelines
       WHERE repository_key = $1 AND webhook_secret IS NOT NULL ORDER BY id`,
      [repositoryKey],
    );
    return rows.flatMap((row) => {
      try {
        return [{ pipelineId: row.id, git: row.git, secret: this.secrets.open(row.sealed, row.id) }];
      } catch (error) {
        unreadable(row.id, error);
        return [];
      }
    });
  }

  private async writeSecret(tx: SqlExecutor, id: string, secret: string | null): Promise<Pipeline> {
    const rows = await tx.query<PipelineRow>(
      `UPDATE pipelines SET webhook_secret = $2, updated_at = now(),
         webhook_secret_set_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, secret === null ? null : this.secrets.seal(secret, id)],
    );
    return rows[0] as Pipeline;
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
        const schedules = await schedulesTargeting(tx, { pipelineId: id });
        if (schedules.length > 0) {
          throw scheduledConflict(id, `schedule${schedules.length > 1 ? 's' : ''} ${schedules.join(', ')}`);
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
      `INSERT INTO pipelines (id, name, description, stages, timeout_sec, concurrency, retention, git)
       VALUES ($1, $2, $3, $4::text::jsonb, $5, $6::text::jsonb, $7::text::jsonb, $8::text::jsonb) RETURNING ${COLUMNS}`,
      [newId(IdPrefix.pipeline), ...values(definition)],
    )
    .catch(nameConflict(definition.name));
  const pipeline = rows[0] as Pipeline;
  await writeJobRefs(tx, pipeline.id, definition);
  return pipeline;
}

/**
 * Replaces the definition of pipeline `id` with a validated one (caller's transaction). Without a
 * git source its webhook secret goes too.
 */
export async function updatePipelineRow(
  tx: SqlExecutor,
  id: string,
  definition: PipelineDefinition,
): Promise<Pipeline> {
  const rows = await tx
    .query<PipelineRow>(
      `UPDATE pipelines SET name = $2, description = $3, stages = $4::text::jsonb, timeout_sec = $5,
         concurrency = $6::text::jsonb, retention = $7::text::jsonb, git = $8::text::jsonb, updated_at = now(),
         webhook_secret = CASE WHEN $8::text IS NULL THEN NULL ELSE webhook_secret END,
         webhook_secret_set_at = CASE WHEN $8::text IS NULL THEN NULL ELSE webhook_secret_set_at END
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
    definition.git === null ? null : JSON.stringify(definition.git),
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
