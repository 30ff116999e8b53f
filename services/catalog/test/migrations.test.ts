import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database } from '@fluxi/db';
import { createTestDatabase, tempDir } from '@fluxi/testkit';
import { generateSecretKey, SecretKeyRing } from '@fluxi/common';
import { WebhookSecrets } from '../src/domain/webhook-secrets.js';
import { PipelineStore } from '../src/store/pipeline-store.js';
import { JobStore } from '../src/store/job-store.js';
import { migrations } from '../src/store/migrations.js';
import { SCHEMA } from '../src/store/database.js';

describe.each(['pglite', 'postgres'] as const)('catalog migrations 003 and 004 on %s', (kind) => {
  const cleanups: Array<() => Promise<void> | void> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function openAt(): Promise<Database> {
    const dir = tempDir('fluxi-catalog-mig-');
    cleanups.push(() => dir.remove());
    const database = kind === 'postgres' ? await createTestDatabase('fluxi_catalog') : undefined;
    if (database !== undefined) cleanups.push(() => database.drop());
    const db = await openDatabase({ url: database?.url, embeddedDir: join(dir.path, 'db'), schema: SCHEMA });
    cleanups.push(() => db.close());
    return db;
  }

  it('gives jobs and entries written before it the defaults of the new fields', async () => {
    const db = await openAt();
    await migrate(
      db,
      migrations.filter((m) => m.id < '003'),
    );
    await db.query(`INSERT INTO jobs (id, name, command) VALUES ('J1', 'build', 'make'), ('J2', 'test', 'make test')`);
    const stages = [
      { name: 'a', entries: [{ name: 'build', jobId: 'J1', needs: [] }] },
      {
        name: 'b',
        entries: [
          { name: 'test', jobId: 'J2', needs: ['build'] },
          { name: 'again', jobId: 'J1', needs: [] },
        ],
      },
    ];
    await db.query(`INSERT INTO pipelines (id, name, stages) VALUES ('P1', 'ci', $1::text::jsonb)`, [
      JSON.stringify(stages),
    ]);
    await db.query(`INSERT INTO pipeline_jobs (pipeline_id, job_id) VALUES ('P1', 'J1'), ('P1', 'J2')`);

    expect(await migrate(db, migrations)).toEqual([
      '003_retry_matrix_schedules',
      '004_pools_tags_limits_docker',
      '005_pipeline_retention',
      '006_pipeline_git_source',
      '007_schedule_targets_policies',
      '008_job_checkout',
      '009_users_sessions_audit',
      '010_secrets',
      '011_job_exit_codes',
      '012_notification_subscriptions',
    ]);
    const { pipeline, jobs } = await new PipelineStore(db, new WebhookSecrets(generateSecretKey())).withJobs('P1');
    const defaults = { when: 'ON_SUCCESS', matrix: [], allowFailure: null, pool: null, tags: [] };
    expect(pipeline).toMatchObject({ timeoutSec: null, concurrency: null, retention: null, git: null });
    expect(pipeline.stages).toEqual([
      { name: 'a', entries: [{ name: 'build', jobId: 'J1', needs: [], ...defaults }] },
      {
        name: 'b',
        entries: [
          { name: 'test', jobId: 'J2', needs: ['build'], ...defaults },
          { name: 'again', jobId: 'J1', needs: [], ...defaults },
        ],
      },
    ]);
    expect(jobs.get('J1')).toMatchObject({
      retry: { on: [], exitCodes: [], backoff: 'FIXED', delayMs: 0, maxDelayMs: null, jitter: false },
      artifacts: [],
      pool: 'default',
      tags: [],
      maxConcurrent: null,
      docker: { pullPolicy: 'IF_NOT_PRESENT', cpus: null, memoryMiB: null, entrypoint: [], keepOnFailure: false },
    });
    expect(
      await new JobStore(db, SecretKeyRing.fromConfig(generateSecretKey())).update('J1', { maxAttempts: 2 }),
    ).toMatchObject({ maxAttempts: 2, artifacts: [] });
    expect(
      await new JobStore(db, SecretKeyRing.fromConfig(generateSecretKey())).update('J1', {
        pool: 'linux',
        tags: ['gpu'],
        maxConcurrent: 2,
      }),
    ).toMatchObject({
      pool: 'linux',
      tags: ['gpu'],
      maxConcurrent: 2,
    });
  });
});
