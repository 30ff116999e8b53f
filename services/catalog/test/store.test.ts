import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecretKey, SecretKeyRing, silentLogger } from '@fluxi/common';
import { migrate, type Database } from '@fluxi/db';
import { ADMIN_KEY_FILE, bootstrapAdminKey } from '../src/app/admin-bootstrap.js';
import { verifyApiKey } from '../src/app/key-verifier.js';
import { generateApiKey } from '../src/domain/api-key.js';
import { WebhookSecrets } from '../src/domain/webhook-secrets.js';
import { AccessStore } from '../src/store/access-store.js';
import { JobStore } from '../src/store/job-store.js';
import { migrations } from '../src/store/migrations.js';
import { PipelineStore } from '../src/store/pipeline-store.js';
import { backends, type Backend } from './backends.js';
import { fluxiError } from './expect-fluxi-error.js';

const count = async (db: Database, table: string): Promise<number> =>
  Number((await db.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`))[0]?.n);

describe.each(backends)('catalog store on $name', (kind) => {
  let backend: Backend;
  let db: Database;
  let jobs: JobStore;
  let pipelines: PipelineStore;
  let access: AccessStore;
  const ids: Record<string, string> = {};

  const use = (database: Database): void => {
    db = database;
    jobs = new JobStore(db, SecretKeyRing.fromConfig(generateSecretKey()));
    pipelines = new PipelineStore(db, new WebhookSecrets(generateSecretKey()));
    access = new AccessStore(db);
  };

  beforeAll(async () => {
    backend = await kind.create();
    use(await backend.open());
  });

  afterAll(async () => {
    await db?.close();
    await backend?.dispose();
  });

  it('applies its migrations once', async () => {
    const applied = await db.query<{ id: string }>('SELECT id FROM migrations ORDER BY id');
    expect(applied.map((row) => row.id)).toEqual(migrations.map((m) => m.id));
    expect(await migrate(db, migrations)).toEqual([]);
  });

  it('creates, reads, updates and lists jobs', async () => {
    const build = await jobs.create({
      name: 'build',
      command: 'make',
      env: [{ name: 'CC', value: 'gcc' }],
      timeoutSec: 600,
    });
    expect(build.id).toMatch(/^J[0-9A-Z]{26}$/);
    expect(build).toMatchObject({ name: 'build', image: null, env: [{ name: 'CC', value: 'gcc' }], maxAttempts: 1 });
    expect(build.createdAt).toBeInstanceOf(Date);
    ids['build'] = build.id;
    ids['test'] = (await jobs.create({ name: 'test', command: 'make test', maxAttempts: 3, allowFailure: true })).id;

    const updated = await jobs.update(build.id, { image: 'gcc:14', timeoutSec: null });
    expect(updated).toMatchObject({ name: 'build', command: 'make', image: 'gcc:14', timeoutSec: null });
    expect(await jobs.get(build.id)).toEqual(updated);
    expect((await jobs.list()).map((job) => job.name)).toEqual(['build', 'test']);
  });

  it('refuses a duplicate job name with CONFLICT, and unknown ids with NOT_FOUND', async () => {
    const duplicate = await fluxiError(jobs.create({ name: 'build', command: 'x' }));
    expect(duplicate).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
    const rename = await fluxiError(jobs.update(ids['test'] as string, { name: 'build' }));
    expect(rename.code).toBe('CONFLICT');
    expect((await fluxiError(jobs.update('J0', { command: 'x' }))).code).toBe('NOT_FOUND');
    expect((await fluxiError(jobs.delete('J0'))).code).toBe('NOT_FOUND');
    expect(await count(db, 'jobs')).toBe(2);
  });

  it('creates a pipeline that references jobs', async () => {
    const pipeline = await pipelines.create({
      name: 'ci',
      description: 'build then test',
      stages: [
        { name: 'build', entries: [{ jobId: ids['build'] as string }] },
        { name: 'check', entries: [{ jobId: ids['test'] as string, needs: ['build'] }] },
      ],
    });
    ids['ci'] = pipeline.id;
    expect(pipeline.id).toMatch(/^P/);
    expect(pipeline.stages[1]?.entries[0]).toEqual({
      name: 'test',
      jobId: ids['test'],
      needs: ['build'],
      when: 'ON_SUCCESS',
      matrix: [],
      allowFailure: null,
      pool: null,
      tags: [],
    });
    expect(await pipelines.get(pipeline.id)).toEqual(pipeline);
  });

  it('writes nothing for an invalid pipeline', async () => {
    const before = [await count(db, 'pipelines'), await count(db, 'pipeline_jobs')];
    const error = await fluxiError(
      pipelines.create({
        name: 'broken',
        stages: [{ name: 'a', entries: [{ jobId: ids['build'] as string }, { jobId: 'J404' }] }],
      }),
    );
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stages[0].entries[1].jobId' });
    const duplicate = await fluxiError(
      pipelines.create({ name: 'ci', stages: [{ name: 'a', entries: [{ jobId: ids['build'] as string }] }] }),
    );
    expect(duplicate).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
    const replace = await fluxiError(
      pipelines.replace(ids['ci'] as string, {
        name: 'ci',
        stages: [{ name: 'a', entries: [{ jobId: ids['test'] as string, needs: ['x'] }] }],
      }),
    );
    expect(replace.field).toBe('input.stages[0].entries[0].needs[0]');
    expect([await count(db, 'pipelines'), await count(db, 'pipeline_jobs')]).toEqual(before);
    expect((await pipelines.require(ids['ci'] as string)).stages).toHaveLength(2);
  });

  it('refuses to delete a job a pipeline uses, naming the pipeline', async () => {
    const error = await fluxiError(jobs.delete(ids['test'] as string));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain(`ci (${ids['ci']})`);
    expect(await jobs.get(ids['test'] as string)).toBeDefined();
  });

  it('replaces a pipeline definition and frees the jobs it no longer uses', async () => {
    const replaced = await pipelines.replace(ids['ci'] as string, {
      name: 'ci-main',
      stages: [{ name: 'only', entries: [{ jobId: ids['build'] as string, name: 'compile' }] }],
    });
    expect(replaced).toMatchObject({ name: 'ci-main', description: null });
    const { pipeline, jobs: used } = await pipelines.withJobs(replaced.id);
    expect(pipeline.stages).toEqual([
      {
        name: 'only',
        entries: [
          {
            name: 'compile',
            jobId: ids['build'],
            needs: [],
            when: 'ON_SUCCESS',
            matrix: [],
            allowFailure: null,
            pool: null,
            tags: [],
          },
        ],
      },
    ]);
    expect([...used.keys()]).toEqual([ids['build']]);
    await jobs.delete(ids['test'] as string);
    expect(await jobs.get(ids['test'] as string)).toBeUndefined();
  });

  it('bootstraps the admin once, even when two starts race', async () => {
    const logger = silentLogger();
    const second = kind.multipleHandles ? await backend.open() : db;
    try {
      const keys = await Promise.all([
        bootstrapAdminKey(access, backend.dataDir, logger),
        bootstrapAdminKey(new AccessStore(second), backend.dataDir, logger),
      ]);
      const created = keys.filter((key): key is string => key !== undefined);
      expect(created).toHaveLength(1);
      const file = join(backend.dataDir, ADMIN_KEY_FILE);
      expect(readFileSync(file, 'utf8').trim()).toBe(created[0]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      ids['adminKey'] = created[0] as string;
    } finally {
      if (second !== db) await second.close();
    }
    expect(await bootstrapAdminKey(access, backend.dataDir, logger)).toBeUndefined();
    expect((await access.listUsers()).map((user) => [user.name, user.role])).toEqual([['admin', 'admin']]);
    expect(await count(db, 'api_keys')).toBe(1);
  });

  it('verifies API keys and refuses malformed, unknown and revoked ones', async () => {
    const principal = await verifyApiKey(access, ids['adminKey'] as string, silentLogger());
    expect(principal).toMatchObject({ userName: 'admin', role: 'admin' });
    const stored = await db.query<{ hash: string }>('SELECT hash FROM api_keys');
    expect(stored[0]?.hash).toMatch(/^[0-9a-f]{64}$/);

    const reader = await access.createUser({ name: 'ro', role: 'reader' });
    const key = generateApiKey();
    expect(await access.createApiKey(reader.id, 'laptop', key, null)).toMatchObject({
      name: 'laptop',
      role: 'reader',
      revokedAt: null,
    });
    expect(await verifyApiKey(access, key.plain, silentLogger())).toEqual({
      userId: reader.id,
      userName: 'ro',
      role: 'reader',
      keyId: key.id,
      expiresAt: null,
    });

    const refused = async (plain: string) => {
      const error = await fluxiError(verifyApiKey(access, plain, silentLogger()));
      expect(error.code).toBe('UNAUTHENTICATED');
      return error.message;
    };
    expect(await refused(`${key.plain.slice(0, -4)}AAAA`)).toBe('unknown, revoked or expired API key');
    expect(await refused(`fluxi_${key.id}_wrong`)).toBe('unknown, revoked or expired API key');
    expect(await refused(generateApiKey().plain)).toBe('unknown, revoked or expired API key');
    expect(await refused('not-a-key')).toBe('malformed API key: expected fluxi_<keyId>_<secret>');
    await access.revokeApiKey(key.id);
    expect(await refused(key.plain)).toBe('unknown, revoked or expired API key');

    expect(await fluxiError(access.createApiKey('U404', 'x', generateApiKey(), null))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.userId',
    });
    expect((await fluxiError(access.createUser({ name: 'ro', role: 'writer' }))).code).toBe('CONFLICT');
  });

  it('keeps everything across a restart', async () => {
    await db.close();
    use(await backend.open());
    expect((await jobs.list()).map((job) => job.name)).toEqual(['build']);
    expect((await pipelines.list()).map((pipeline) => pipeline.name)).toEqual(['ci-main']);
    expect(await verifyApiKey(access, ids['adminKey'] as string, silentLogger())).toMatchObject({ role: 'admin' });
    expect(await bootstrapAdminKey(access, backend.dataDir, silentLogger())).toBeUndefined();
  });
});
