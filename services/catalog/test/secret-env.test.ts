import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret, silentLogger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  GetJobRequestSchema,
  GetJobResponseSchema,
  ResolveSecretsRequestSchema,
  ResolveSecretsResponseSchema,
  Subjects,
} from '@fluxi/contracts';
import { type Principal } from '@fluxi/graphql';
import { connectNats, request, type Nats } from '@fluxi/messaging';
import { type CatalogService } from '../src/index.js';
import { backends } from './backends.js';
import { rotationHarness } from './rotation-harness.js';
import { principal, startCatalog, WRITER, type CatalogHarness, type Data } from './catalog-harness.js';

const ADMIN = principal('admin');
const VALUE = 'env-Secret-Value-0123456789';
const NEW_VALUE = 'env-Secret-Second-9876543210';
const CREATE = 'mutation ($input: CreateJobInput!) { createJob(input: $input) { id env { name value secret } } }';
const UPDATE =
  'mutation ($id: ID!, $input: UpdateJobInput!) { updateJob(id: $id, input: $input) { id env { name value secret } } }';

async function resolve(nats: Nats, jobId: string, envNames: string[]) {
  const answer = await request(
    nats.nc,
    Subjects.secretsResolve,
    { request: ResolveSecretsRequestSchema, response: ResolveSecretsResponseSchema },
    create(ResolveSecretsRequestSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      jobRunId: 'JR-env',
      attempt: 1,
      pipelineId: '',
      jobId,
      envNames,
    }),
  );
  return answer.result;
}

/** Every text of the jobs table, as PostgreSQL holds it. */
async function jobsTable(databaseUrl: string): Promise<{ text: string; env: Array<Record<string, unknown>> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const text = JSON.stringify((await client.query('SELECT j::text FROM catalog.jobs j')).rows);
    const env = (await client.query("SELECT env FROM catalog.jobs WHERE name = 'deploy'")).rows[0]?.env;
    return { text, env: env as Array<Record<string, unknown>> };
  } finally {
    await client.end();
  }
}

describe.each(backends)('secret environment variables on $name', (kind) => {
  let catalog: CatalogHarness;
  let nats: Nats;
  let jobId = '';

  beforeAll(async () => {
    catalog = await startCatalog(kind);
    nats = await connectNats(catalog.natsUrl, 'secret-env-test', silentLogger());
  });

  afterAll(async () => {
    await nats?.close();
    await catalog?.stop();
  });

  it('stores a value marked secret and never answers it', async () => {
    const created = await catalog.ok(CREATE, {
      input: {
        name: 'deploy',
        command: 'echo "$TOKEN"',
        env: [
          { name: 'REGION', value: 'eu' },
          { name: 'TOKEN', value: VALUE, secret: true },
        ],
      },
    });
    jobId = created.createJob.id;
    expect(created.createJob.env).toEqual([
      { name: 'REGION', value: 'eu', secret: false },
      { name: 'TOKEN', value: null, secret: true },
    ]);
    const answers = JSON.stringify([
      created,
      await catalog.ok('{ jobs { id env { name value secret } } }'),
      await catalog.ok('query ($id: ID!) { job(id: $id) { env { name value secret } } }', { id: jobId }),
      await catalog.ok('{ exportDefinitions }'),
    ]);
    expect(answers).not.toContain(VALUE);
    expect(answers).not.toContain('v1:');
    const spec = await request(
      nats.nc,
      Subjects.jobGet,
      { request: GetJobRequestSchema, response: GetJobResponseSchema },
      create(GetJobRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, jobId }),
    );
    expect(spec.result.case === 'job' && spec.result.value).toMatchObject({
      env: { REGION: 'eu' },
      secretEnvNames: ['TOKEN'],
    });
    expect(JSON.stringify(spec.result.value)).not.toContain(VALUE);
  });

  it('refuses a short value or a first one missing, with the field at fault', async () => {
    const short = await catalog.fail(CREATE, {
      input: { name: 'short', command: 'x', env: [{ name: 'T', value: 'abc', secret: true }] },
    });
    expect(short.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.env[0].value' });
    const missing = await catalog.fail(CREATE, {
      input: { name: 'missing', command: 'x', env: [{ name: 'T', secret: true }] },
    });
    expect(missing.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.env[0].value' });
  });

  it('gives the value to an attempt over NATS, audited by name', async () => {
    const given = await resolve(nats, jobId, ['TOKEN']);
    expect(given.case === 'secrets' && given.value.env).toEqual({ TOKEN: VALUE });
    const plain = await resolve(nats, jobId, ['REGION']);
    expect(plain.case === 'error' && plain.value).toMatchObject({ code: 'BAD_USER_INPUT', field: 'REGION' });
    const audit: Data = await catalog.ok(
      '{ auditEntries(filter: { action: "secret.access" }, first: 10) { nodes { target outcome details } } }',
      {},
      ADMIN,
    );
    expect(audit.auditEntries.nodes.map((e: Data) => [e.outcome, JSON.parse(e.details).envNames])).toEqual([
      ['failure', ['REGION']],
      ['success', ['TOKEN']],
    ]);
    expect(JSON.stringify(audit)).not.toContain(VALUE);
  });

  it('keeps the stored value when an update sends the entry without one, and replaces it with a new one', async () => {
    const kept = await catalog.ok(UPDATE, {
      id: jobId,
      input: {
        env: [
          { name: 'TOKEN', secret: true },
          { name: 'REGION', value: 'us' },
        ],
      },
    });
    expect(kept.updateJob.env).toEqual([
      { name: 'TOKEN', value: null, secret: true },
      { name: 'REGION', value: 'us', secret: false },
    ]);
    const still = await resolve(nats, jobId, ['TOKEN']);
    expect(still.case === 'secrets' && still.value.env).toEqual({ TOKEN: VALUE });
    await catalog.ok(UPDATE, { id: jobId, input: { env: [{ name: 'TOKEN', value: NEW_VALUE, secret: true }] } });
    const replaced = await resolve(nats, jobId, ['TOKEN']);
    expect(replaced.case === 'secrets' && replaced.value.env).toEqual({ TOKEN: NEW_VALUE });
  });

  it('copies the value with a job copy, and an import of the export keeps it', async () => {
    const copy = await catalog.ok('mutation ($id: ID!) { copyJob(id: $id) { id name env { name value secret } } }', {
      id: jobId,
    });
    expect(copy.copyJob.env).toEqual([{ name: 'TOKEN', value: null, secret: true }]);
    const copied = await resolve(nats, copy.copyJob.id, ['TOKEN']);
    expect(copied.case === 'secrets' && copied.value.env).toEqual({ TOKEN: NEW_VALUE });

    const yaml: string = (await catalog.ok('{ exportDefinitions }')).exportDefinitions;
    expect(yaml).toContain('TOKEN:\n        secret: true');
    expect(yaml).not.toContain(NEW_VALUE);
    const imported = await catalog.ok(
      'mutation ($yaml: String!) { importDefinitions(yaml: $yaml) { changes { name action } } }',
      { yaml: yaml.replace('command: echo "$TOKEN"', 'command: echo "$TOKEN" again') },
    );
    expect(imported.importDefinitions.changes).toContainEqual({ name: 'deploy', action: 'update' });
    const afterImport = await resolve(nats, jobId, ['TOKEN']);
    expect(afterImport.case === 'secrets' && afterImport.value.env).toEqual({ TOKEN: NEW_VALUE });

    // A file imported where the job is new leaves the value unset: the attempt fails naming it.
    await catalog.ok('mutation ($yaml: String!) { importDefinitions(yaml: $yaml) { dryRun } }', {
      yaml: 'version: 1\njobs:\n  fresh:\n    command: x\n    env:\n      KEY: { secret: true }\n',
    });
    const fresh = (await catalog.ok('{ jobs { id name } }')).jobs.find((j: Data) => j.name === 'fresh');
    const unset = await resolve(nats, fresh.id, ['KEY']);
    expect(unset.case === 'error' && unset.value).toMatchObject({ code: 'NOT_FOUND', field: 'KEY' });
    expect(unset.case === 'error' && unset.value.message).toMatch(/has no value: set it with updateJob/);
  });

  it.runIf(kind.name === 'postgres')('holds the value sealed in the jobs table, never in the clear', async () => {
    const { text, env } = await jobsTable(catalog.databaseUrl as string);
    for (const value of [VALUE, NEW_VALUE]) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value).toString('base64'));
      expect(text).not.toContain(Buffer.from(value).toString('hex'));
    }
    expect(env).toEqual([{ name: 'TOKEN', secret: true, sealed: expect.stringMatching(/^v1:/) }]);
  });
});

describe('secret environment values and key rotation', () => {
  const harness = rotationHarness('env-rotation');
  const { keyA, keyB, cleanups } = harness;
  async function startWith(masterKey: string, previousKeys: string[] = []): Promise<CatalogService> {
    const service = await harness.startWith(masterKey, previousKeys);
    cleanups.push(() => service.stop());
    return service;
  }
  const gql = (service: CatalogService, query: string, variables: Record<string, unknown> = {}) =>
    harness.gql(service, WRITER as Principal, query, variables);

  const opensWith = (key: string, jobId: string, sealed: string): boolean => {
    try {
      decryptSecret(sealed, Buffer.from(key, 'base64'), `job-env:${jobId}:TOKEN`);
      return true;
    } catch {
      return false;
    }
  };

  it('re-seals the values of key A with key B at start; B alone gives them to attempts', async () => {
    const a = await startWith(keyA);
    const created = await gql(a, CREATE, {
      input: {
        name: 'deploy',
        command: 'true',
        env: [
          { name: 'TOKEN', value: VALUE, secret: true },
          { name: 'PLAIN', value: 'x' },
        ],
      },
    });
    const jobId: string = created.createJob.id;
    const sealedOf = async () =>
      (await jobsTable(harness.databaseUrl())).env.find((e) => e['name'] === 'TOKEN')?.['sealed'];
    const before = (await sealedOf()) as string;
    expect(opensWith(keyA, jobId, before) && !opensWith(keyB, jobId, before)).toBe(true);
    await cleanups.pop()?.();

    await startWith(keyB, [keyA]);
    const after = (await sealedOf()) as string;
    expect(opensWith(keyB, jobId, after) && !opensWith(keyA, jobId, after)).toBe(true);
    // The other entries and their order are untouched.
    expect((await jobsTable(harness.databaseUrl())).env.map((e) => e['name'])).toEqual(['TOKEN', 'PLAIN']);
    await cleanups.pop()?.();

    await startWith(keyB);
    const nats = await connectNats(harness.natsUrl(), 'env-rotation-test', silentLogger());
    cleanups.push(() => nats.close());
    const given = await resolve(nats, jobId, ['TOKEN']);
    expect(given.case === 'secrets' && given.value.env).toEqual({ TOKEN: VALUE });
  });
});
