import { FluxiError, IdPrefix, newId, notFound, type SecretKeyRing } from '@fluxi/common';
import { isForeignKeyViolation, isUniqueViolation, type Database, type SqlExecutor } from '@fluxi/db';
import { applyJobPatch, validateJob, type EnvVar, type Job, type JobDefinition, type JobInput } from '../domain/job.js';
import { openSecretEnvValue, sealEnv, type SecretEnvVar } from '../domain/secret-env.js';
import { schedulesTargeting } from './schedule-store.js';

export const JOB_COLUMNS = `id, name, command, image, env, workdir, timeout_sec AS "timeoutSec", max_attempts AS "maxAttempts",
  allow_failure AS "allowFailure", allow_failure_exit_codes AS "allowFailureExitCodes", retry, artifacts, pool, tags, max_concurrent AS "maxConcurrent", docker,
  checkout, secrets, created_at AS "createdAt", updated_at AS "updatedAt"`;

interface JobRow extends JobDefinition {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Jobs: validated on the way in, written in one statement or one transaction. Environment values
 * marked secret are sealed with the key ring on the way in and opened only for an attempt.
 */
export class JobStore {
  constructor(
    private readonly db: Database,
    private readonly keys: SecretKeyRing,
  ) {}

  /** `copyOf`: the job whose sealed secret env values `input` carries (a copy re-seals them). */
  async create(input: JobInput, copyOf?: string): Promise<Job> {
    return insertJob(this.db, validateJob(input), this.keys, copyOf);
  }

  async get(id: string): Promise<Job | undefined> {
    return (await this.db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id]))[0];
  }

  async require(id: string): Promise<Job> {
    const job = await this.get(id);
    if (job === undefined) throw notFound('job', id);
    return job;
  }

  async list(): Promise<Job[]> {
    return this.db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs ORDER BY name`);
  }

  /** Updates the fields present in `patch` (null clears an optional field). */
  async update(id: string, patch: JobInput): Promise<Job> {
    return this.db.transaction(async (tx) => {
      const current = (await tx.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1 FOR UPDATE`, [id]))[0];
      if (current === undefined) throw notFound('job', id);
      return updateJobRow(tx, id, applyJobPatch(current, patch), this.keys);
    });
  }

  /**
   * The values of `entries` (secret env entries of job `jobId`, as stored) in the clear, for an
   * attempt. A value no key of the ring opens throws INTERNAL naming it; an unset one, NOT_FOUND.
   */
  openSecretEnv(jobId: string, entries: readonly SecretEnvVar[]): Map<string, string> {
    return new Map(entries.map((entry) => [entry.name, openSecretEnvValue(this.keys, jobId, entry)]));
  }

  /** Deletes a job; refused with CONFLICT while a pipeline uses it. */
  async delete(id: string): Promise<void> {
    await this.db
      .transaction(async (tx) => {
        const found = await tx.query('SELECT id FROM jobs WHERE id = $1 FOR UPDATE', [id]);
        if (found.length === 0) throw notFound('job', id);
        await refuseWhenUsed(tx, id);
        await tx.query('DELETE FROM jobs WHERE id = $1', [id]);
      })
      .catch((error: unknown) => {
        // A pipeline that started using the job meanwhile: the foreign key refuses the delete.
        if (isForeignKeyViolation(error))
          throw new FluxiError('CONFLICT', `job ${id} is used by a pipeline or a schedule`);
        throw error;
      });
  }
}

/** Inserts a validated job (in the caller's transaction, when `tx` is one). */
export async function insertJob(
  tx: SqlExecutor,
  job: JobDefinition,
  keys: SecretKeyRing,
  copyOf?: string,
): Promise<Job> {
  const id = newId(IdPrefix.job);
  const rows = await tx
    .query<JobRow>(
      `INSERT INTO jobs (id, name, command, image, env, workdir, timeout_sec, max_attempts, allow_failure, retry, artifacts,
         pool, tags, max_concurrent, docker, checkout, secrets, allow_failure_exit_codes)
       VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $8, $9, $10::text::jsonb, $11::text::jsonb,
         $12, $13::text::jsonb, $14, $15::text::jsonb, $16, $17::text::jsonb, $18::text::jsonb) RETURNING ${JOB_COLUMNS}`,
      [id, ...values(job, sealEnv(job.env, id, keys, copyOf ?? id))],
    )
    .catch(nameConflict(job.name));
  return rows[0] as Job;
}

/** Replaces the definition of job `id` with a validated one. */
export async function updateJobRow(tx: SqlExecutor, id: string, job: JobDefinition, keys: SecretKeyRing): Promise<Job> {
  const rows = await tx
    .query<JobRow>(
      `UPDATE jobs SET name = $2, command = $3, image = $4, env = $5::text::jsonb, workdir = $6, timeout_sec = $7,
         max_attempts = $8, allow_failure = $9, retry = $10::text::jsonb, artifacts = $11::text::jsonb, pool = $12,
         tags = $13::text::jsonb, max_concurrent = $14, docker = $15::text::jsonb, checkout = $16,
         secrets = $17::text::jsonb, allow_failure_exit_codes = $18::text::jsonb, updated_at = now()
       WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
      [id, ...values(job, sealEnv(job.env, id, keys, id))],
    )
    .catch(nameConflict(job.name));
  return rows[0] as Job;
}

async function refuseWhenUsed(tx: SqlExecutor, jobId: string): Promise<void> {
  const users = await tx.query<{ id: string; name: string }>(
    `SELECT p.id, p.name FROM pipeline_jobs pj JOIN pipelines p ON p.id = pj.pipeline_id
     WHERE pj.job_id = $1 ORDER BY p.name`,
    [jobId],
  );
  if (users.length > 0) {
    const names = users.map((p) => `${p.name} (${p.id})`).join(', ');
    throw new FluxiError(
      'CONFLICT',
      `job ${jobId} is used by pipeline${users.length > 1 ? 's' : ''} ${names}; remove it from them first`,
    );
  }
  const schedules = await schedulesTargeting(tx, { jobId });
  if (schedules.length > 0) {
    throw new FluxiError(
      'CONFLICT',
      `job ${jobId} is started by schedule${schedules.length > 1 ? 's' : ''} ${schedules.join(', ')}; remove it from them first`,
    );
  }
}

function values(job: JobDefinition, env: readonly EnvVar[]): unknown[] {
  return [
    job.name,
    job.command,
    job.image,
    JSON.stringify(env),
    job.workdir,
    job.timeoutSec,
    job.maxAttempts,
    job.allowFailure,
    JSON.stringify(job.retry),
    JSON.stringify(job.artifacts),
    job.pool,
    JSON.stringify(job.tags),
    job.maxConcurrent,
    JSON.stringify(job.docker),
    job.checkout,
    JSON.stringify(job.secrets),
    JSON.stringify(job.allowFailureExitCodes),
  ];
}

function nameConflict(name: string): (error: unknown) => never {
  return (error) => {
    if (isUniqueViolation(error, 'jobs_name_key')) {
      throw new FluxiError('CONFLICT', `a job named ${name} already exists`, { field: 'input.name' });
    }
    throw error;
  };
}
