import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, generateSecretKey, silentLogger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  FindWebhookPipelinesRequestSchema,
  FindWebhookPipelinesResponseSchema,
  ResolveSecretsRequestSchema,
  ResolveSecretsResponseSchema,
  Subjects,
} from '@fluxi/contracts';
import { type Principal } from '@fluxi/graphql';
import { connectNats, request, type Nats } from '@fluxi/messaging';
import { type CatalogService } from '../src/index.js';
import { backends } from './backends.js';
import { rotationHarness } from './rotation-harness.js';
import { principal, READER, startCatalog, WRITER, type CatalogHarness, type Data } from './catalog-harness.js';

const ADMIN = principal('admin');
const SECRET_FIELDS = 'id name scope pipelineId createdAt updatedAt lastUsedAt';
const SET = `mutation ($input: SetSecretInput!) { setSecret(input: $input) { ${SECRET_FIELDS} } }`;
const LIST = `query ($p: ID) { secrets(pipelineId: $p) { ${SECRET_FIELDS} } }`;
const GLOBAL_VALUE = 'global-Value-0123456789';
const PIPELINE_VALUE = 'pipeline-Value-abcdefghij';

async function resolveSecrets(nats: Nats, fields: { pipelineId: string; jobId: string; names: string[] }) {
  const answer = await request(
    nats.nc,
    Subjects.secretsResolve,
    { request: ResolveSecretsRequestSchema, response: ResolveSecretsResponseSchema },
    create(ResolveSecretsRequestSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      jobRunId: 'JR1',
      attempt: 1,
      ...fields,
    }),
  );
  return answer.result;
}

describe.each(backends)('secrets on $name', (kind) => {
  let catalog: CatalogHarness;
  let nats: Nats;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    catalog = await startCatalog(kind);
    nats = await connectNats(catalog.natsUrl, 'secrets-test', silentLogger());
    const job = await catalog.ok(
      'mutation ($input: CreateJobInput!) { createJob(input: $input) { id secrets } }',
      { input: { name: 'deploy', command: 'echo "$TOKEN"', secrets: ['TOKEN', 'OTHER'] } },
      WRITER,
    );
    expect(job.createJob.secrets).toEqual(['TOKEN', 'OTHER']);
    ids['job'] = job.createJob.id;
    const pipeline = await catalog.ok(
      'mutation ($input: PipelineInput!) { createPipeline(input: $input) { id } }',
      { input: { name: 'ship', stages: [{ name: 'deploy', entries: [{ jobId: ids['job'] }] }] } },
      WRITER,
    );
    ids['pipeline'] = pipeline.createPipeline.id;
  });

  afterAll(async () => {
    await nats?.close();
    await catalog?.stop();
  });

  it('sets, replaces, lists and deletes secrets without ever answering a value', async () => {
    const global = (await catalog.ok(SET, { input: { name: 'TOKEN', value: 'first-value-xyz' } }, ADMIN)).setSecret;
    expect(global).toMatchObject({ name: 'TOKEN', scope: 'GLOBAL', pipelineId: null, lastUsedAt: null });
    const replaced = (await catalog.ok(SET, { input: { name: 'TOKEN', value: GLOBAL_VALUE } }, ADMIN)).setSecret;
    expect(replaced.id).toBe(global.id);
    expect(Date.parse(replaced.updatedAt)).toBeGreaterThanOrEqual(Date.parse(global.updatedAt));
    const own = (
      await catalog.ok(SET, { input: { name: 'TOKEN', value: PIPELINE_VALUE, pipelineId: ids['pipeline'] } }, ADMIN)
    ).setSecret;
    expect(own).toMatchObject({ scope: 'PIPELINE', pipelineId: ids['pipeline'] });
    expect(own.id).not.toBe(global.id);
    await catalog.ok(SET, { input: { name: 'OTHER', value: 'other-value' } }, ADMIN);
    const temp = (await catalog.ok(SET, { input: { name: 'TEMP', value: 'temp-value' } }, ADMIN)).setSecret;
    expect(await catalog.ok('mutation ($id: ID!) { deleteSecret(id: $id) }', { id: temp.id }, ADMIN)).toEqual({
      deleteSecret: true,
    });

    const all: Data = await catalog.ok(LIST, {}, ADMIN);
    expect(all.secrets.map((s: Data) => [s.name, s.scope])).toEqual([
      ['OTHER', 'GLOBAL'],
      ['TOKEN', 'GLOBAL'],
      ['TOKEN', 'PIPELINE'],
    ]);
    expect((await catalog.ok(LIST, { p: ids['pipeline'] }, ADMIN)).secrets).toHaveLength(1);
    const answers = JSON.stringify([all, await catalog.graphql('{ jobs { id secrets } }', {}, ADMIN)]);
    for (const value of [GLOBAL_VALUE, PIPELINE_VALUE, 'first-value-xyz', 'other-value']) {
      expect(answers).not.toContain(value);
    }
  });

  it('refuses bad input with the field at fault, an unknown pipeline, and non-admins', async () => {
    const short = await catalog.fail(SET, { input: { name: 'A', value: 'abc' } }, ADMIN);
    expect(short.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.value' });
    const name = await catalog.fail(SET, { input: { name: 'no-dash', value: 'abcd' } }, ADMIN);
    expect(name.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    const pipeline = await catalog.fail(SET, { input: { name: 'A', value: 'abcd', pipelineId: 'P404' } }, ADMIN);
    expect(pipeline.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.pipelineId' });
    const missing = await catalog.fail('mutation { deleteSecret(id: "SC404") }', {}, ADMIN);
    expect(missing.extensions?.code).toBe('NOT_FOUND');
    for (const who of [WRITER, READER]) {
      expect((await catalog.fail(SET, { input: { name: 'A', value: 'abcd' } }, who)).extensions?.code).toBe(
        'FORBIDDEN',
      );
      expect((await catalog.fail(LIST, {}, who)).extensions?.code).toBe('FORBIDDEN');
      expect((await catalog.fail('mutation { deleteSecret(id: "x") }', {}, who)).extensions?.code).toBe('FORBIDDEN');
      expect((await catalog.fail('mutation { rotateSecrets }', {}, who)).extensions?.code).toBe('FORBIDDEN');
    }
    const job = await catalog.fail(
      'mutation ($input: CreateJobInput!) { createJob(input: $input) { id } }',
      { input: { name: 'bad', command: 'true', env: [{ name: 'X', value: '1' }], secrets: ['X'] } },
      WRITER,
    );
    expect(job.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.secrets[0]' });
  });

  it("gives an attempt the job's secrets over NATS, the pipeline's own first, and notes their use", async () => {
    const forPipeline = await resolveSecrets(nats, {
      pipelineId: ids['pipeline'] as string,
      jobId: ids['job'] as string,
      names: ['TOKEN', 'OTHER'],
    });
    expect(forPipeline.case === 'secrets' && forPipeline.value.values).toEqual({
      TOKEN: PIPELINE_VALUE,
      OTHER: 'other-value',
    });
    const alone = await resolveSecrets(nats, { pipelineId: '', jobId: ids['job'] as string, names: ['TOKEN'] });
    expect(alone.case === 'secrets' && alone.value.values).toEqual({ TOKEN: GLOBAL_VALUE });
    const listed: Data = await catalog.ok(LIST, {}, ADMIN);
    expect(listed.secrets.every((s: Data) => typeof s.lastUsedAt === 'string')).toBe(true);

    const unlisted = await resolveSecrets(nats, { pipelineId: '', jobId: ids['job'] as string, names: ['SOMETHING'] });
    expect(unlisted.case === 'error' && unlisted.value).toMatchObject({ code: 'BAD_USER_INPUT' });
    await catalog.ok(
      'mutation ($id: ID!) { updateJob(id: $id, input: { secrets: ["TOKEN", "DEPLOY_TOKEN"] }) { id } }',
      { id: ids['job'] },
      WRITER,
    );
    const missing = await resolveSecrets(nats, {
      pipelineId: ids['pipeline'] as string,
      jobId: ids['job'] as string,
      names: ['TOKEN', 'DEPLOY_TOKEN'],
    });
    expect(missing.case === 'error' && missing.value).toMatchObject({
      code: 'NOT_FOUND',
      message: `secret DEPLOY_TOKEN is not set (global or for pipeline ${ids['pipeline']})`,
    });
    // Each resolution is audited: given or refused, names and never values.
    const audit: Data = await catalog.ok(
      '{ auditEntries(filter: { action: "secret.access" }, first: 10) { nodes { userName target outcome details } } }',
      {},
      ADMIN,
    );
    expect(audit.auditEntries.nodes.map((e: Data) => e.outcome)).toEqual(['failure', 'failure', 'success', 'success']);
    expect(audit.auditEntries.nodes[0]).toMatchObject({ userName: 'executor', target: 'JR1' });
    expect(JSON.stringify(audit)).toContain('DEPLOY_TOKEN');
    for (const value of [GLOBAL_VALUE, PIPELINE_VALUE]) expect(JSON.stringify(audit)).not.toContain(value);
  });

  it.runIf(kind.name === 'postgres')('stores values sealed, bound to their row id', async () => {
    const client = new pg.Client({ connectionString: catalog.databaseUrl });
    await client.connect();
    try {
      const rows = (await client.query('SELECT id, value FROM catalog.secrets')).rows as {
        id: string;
        value: string;
      }[];
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const everything = JSON.stringify((await client.query('SELECT s::text FROM catalog.secrets s')).rows);
      for (const value of [GLOBAL_VALUE, PIPELINE_VALUE, 'other-value']) {
        expect(everything).not.toContain(value);
        expect(everything).not.toContain(Buffer.from(value).toString('base64'));
        expect(everything).not.toContain(Buffer.from(value).toString('hex'));
      }
      expect(rows.every((row) => row.value.startsWith('v1:'))).toBe(true);
    } finally {
      await client.end();
    }
  });
});

describe('key rotation', () => {
  const harness = rotationHarness('rotation');
  const { keyA, keyB, cleanups, startWith } = harness;
  const gql = (service: CatalogService, query: string, variables: Record<string, unknown> = {}) =>
    harness.gql(service, ADMIN as Principal, query, variables);

  async function sealedRows(): Promise<Array<{ id: string; value: string; kind: string }>> {
    const client = new pg.Client({ connectionString: harness.databaseUrl() });
    await client.connect();
    try {
      const secrets = await client.query("SELECT id, value, 'secret' AS kind FROM catalog.secrets");
      const hooks = await client.query(
        "SELECT id, webhook_secret AS value, 'webhook' AS kind FROM catalog.pipelines WHERE webhook_secret IS NOT NULL",
      );
      return [...secrets.rows, ...hooks.rows] as Array<{ id: string; value: string; kind: string }>;
    } finally {
      await client.end();
    }
  }

  const opensWith = (key: string, row: { id: string; value: string; kind: string }): boolean => {
    const context = row.kind === 'secret' ? `secret:${row.id}` : `pipeline:${row.id}:webhook-secret`;
    try {
      decryptSecret(row.value, Buffer.from(key, 'base64'), context);
      return true;
    } catch {
      return false;
    }
  };

  it('re-seals secrets and webhook secrets of key A with key B at start; B alone reads them afterwards', async () => {
    const a = await startWith(keyA);
    cleanups.push(() => a.stop());
    const job = await gql(
      a,
      'mutation { createJob(input: { name: "j", command: "true", secrets: ["TOKEN"] }) { id } }',
    );
    const pipeline = await gql(a, 'mutation ($input: PipelineInput!) { createPipeline(input: $input) { id } }', {
      input: {
        name: 'p',
        stages: [{ name: 's', entries: [{ jobId: job.createJob.id }] }],
        git: { repository: 'https://github.com/acme/rotate.git', webhookSecret: 'webhook-secret-0123456789abcdef' },
      },
    });
    await gql(a, SET, { input: { name: 'TOKEN', value: 'rotate-me-please' } });
    await gql(a, SET, {
      input: { name: 'TOKEN', value: 'pipeline-rotate-me', pipelineId: pipeline.createPipeline.id },
    });
    const before = await sealedRows();
    expect(before).toHaveLength(3);
    expect(before.every((row) => opensWith(keyA, row) && !opensWith(keyB, row))).toBe(true);
    await cleanups.pop()?.();

    const b = await startWith(keyB, [keyA]);
    cleanups.push(() => b.stop());
    const after = await sealedRows();
    expect(after.every((row) => opensWith(keyB, row) && !opensWith(keyA, row))).toBe(true);
    expect((await gql(b, 'mutation { rotateSecrets }')).rotateSecrets).toBe(0);
    await cleanups.pop()?.();

    const bAlone = await startWith(keyB);
    cleanups.push(() => bAlone.stop());
    const nats = await connectNats(harness.natsUrl(), 'rotation-test', silentLogger());
    cleanups.push(() => nats.close());
    const resolved = await resolveSecrets(nats, {
      pipelineId: pipeline.createPipeline.id,
      jobId: job.createJob.id,
      names: ['TOKEN'],
    });
    expect(resolved.case === 'secrets' && resolved.value.values).toEqual({ TOKEN: 'pipeline-rotate-me' });
    const hooks = await request(
      nats.nc,
      Subjects.webhookPipelines,
      { request: FindWebhookPipelinesRequestSchema, response: FindWebhookPipelinesResponseSchema },
      create(FindWebhookPipelinesRequestSchema, {
        version: ContractVersion.CONTRACT_VERSION_1,
        repositoryKey: 'github.com/acme/rotate',
      }),
    );
    expect(hooks.result.case === 'pipelines' && hooks.result.value.pipelines[0]?.webhookSecret).toBe(
      'webhook-secret-0123456789abcdef',
    );
  });

  it('the rotateSecrets mutation re-seals values of a previous key while running', async () => {
    const keyC = generateSecretKey().toString('base64');
    const c = await startWith(keyC, [keyB]);
    cleanups.push(() => c.stop());
    expect((await sealedRows()).every((row) => opensWith(keyC, row))).toBe(true);
    // A value of key B written behind the running catalog's back (another catalog not yet restarted).
    const client = new pg.Client({ connectionString: harness.databaseUrl() });
    await client.connect();
    try {
      const sealed = encryptSecret('set-with-key-b', Buffer.from(keyB, 'base64'), 'secret:SCLATE');
      await client.query("INSERT INTO catalog.secrets (id, name, value) VALUES ('SCLATE', 'LATE', $1)", [sealed]);
    } finally {
      await client.end();
    }
    expect((await gql(c, 'mutation { rotateSecrets }')).rotateSecrets).toBe(1);
    expect((await sealedRows()).every((row) => opensWith(keyC, row))).toBe(true);
    expect((await gql(c, 'mutation { rotateSecrets }')).rotateSecrets).toBe(0);
  });
});
