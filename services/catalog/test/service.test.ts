import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, silentLogger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  GetJobRequestSchema,
  GetJobResponseSchema,
  GetPipelineSnapshotRequestSchema,
  GetPipelineSnapshotResponseSchema,
  Role,
  Subjects,
  VerifyApiKeyRequestSchema,
  VerifyApiKeyResponseSchema,
} from '@fluxi/contracts';
import { encodePrincipal, PRINCIPAL_HEADER, type Principal } from '@fluxi/graphql';
import { connectNats, request, type Nats } from '@fluxi/messaging';
import { startNatsServer, tempDir } from '@fluxi/testkit';
import { start, type CatalogService } from '../src/index.js';

type ServerProcess = Awaited<ReturnType<typeof startNatsServer>>;

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

const as = (role: Principal['role']): Principal => ({ userId: `U-${role}`, userName: role, role, keyId: `K-${role}` });
const ADMIN = as('admin');
const WRITER = as('writer');
const READER = as('reader');

describe('catalog service', () => {
  const dir = tempDir('fluxi-catalog-svc-');
  const config = loadConfig({ flags: { dataDir: dir.path } });
  let natsServer: ServerProcess;
  let client: Nats;
  let service: CatalogService;
  const ids: Record<string, string> = {};

  const startService = () =>
    start({ config, natsUrl: natsServer.url, redisUrl: 'redis://unused', logger: silentLogger() });

  async function graphql(
    query: string,
    variables: Record<string, unknown> = {},
    principal?: Principal,
  ): Promise<GraphqlAnswer> {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(principal === undefined ? {} : { [PRINCIPAL_HEADER]: encodePrincipal(principal) }),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlAnswer;
  }

  /** Runs an operation that must succeed and returns its data. */
  async function ok(query: string, variables: Record<string, unknown> = {}, principal: Principal = WRITER) {
    const answer = await graphql(query, variables, principal);
    expect(answer.errors).toBeUndefined();
    return answer.data as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary GraphQL shapes
  }

  const verifyKey = (key: string) =>
    request(
      client.nc,
      Subjects.apiKeyVerify,
      { request: VerifyApiKeyRequestSchema, response: VerifyApiKeyResponseSchema },
      create(VerifyApiKeyRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, key }),
    );

  beforeAll(async () => {
    natsServer = await startNatsServer();
    service = await startService();
    client = await connectNats(natsServer.url, 'catalog-test', silentLogger());
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await natsServer?.stop();
    dir.remove();
  });

  it('creates the admin key on first start and verifies it over NATS', async () => {
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const key = service.bootstrapAdminKey as string;
    expect(key).toMatch(/^fluxi_K/);
    const answer = await verifyKey(key);
    expect(answer.result.case).toBe('principal');
    expect(answer.result.value).toMatchObject({ userName: 'admin', role: Role.ADMIN, keyId: key.split('_')[1] });
    const bad = await verifyKey('fluxi_nope');
    expect(bad.result).toMatchObject({ case: 'error', value: { code: 'UNAUTHENTICATED' } });
  });

  it('returns the caller as me', async () => {
    expect((await ok('{ me { userId userName role keyId } }', {}, READER)).me).toEqual(READER);
    expect((await graphql('{ me { userId } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('creates jobs', async () => {
    const mutation = `mutation ($input: CreateJobInput!) { createJob(input: $input) { id name command image env { name value } maxAttempts allowFailure createdAt } }`;
    const build = (
      await ok(mutation, { input: { name: 'build', command: 'make', env: [{ name: 'CC', value: 'gcc' }] } })
    ).createJob;
    expect(build).toMatchObject({
      name: 'build',
      image: null,
      env: [{ name: 'CC', value: 'gcc' }],
      maxAttempts: 1,
      allowFailure: false,
    });
    expect(new Date(build.createdAt).toISOString()).toBe(build.createdAt);
    ids['build'] = build.id;
    ids['test'] = (
      await ok(mutation, { input: { name: 'test', command: 'make test', image: 'gcc:14', maxAttempts: 2 } })
    ).createJob.id;
    const invalid = await graphql(
      mutation,
      { input: { name: 'lint', command: 'x', env: [{ name: '9X', value: '' }] } },
      WRITER,
    );
    expect(invalid.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.env[0].name' });
    const duplicate = await graphql(mutation, { input: { name: 'build', command: 'x' } }, WRITER);
    expect(duplicate.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await ok('{ jobs { name } }', {}, READER)).jobs).toEqual([{ name: 'build' }, { name: 'test' }]);
  });

  it('creates a pipeline and serves it with its jobs', async () => {
    const created = await ok(
      `mutation ($input: PipelineInput!) { createPipeline(input: $input) { id name stages { name entries { name jobId needs job { name command } } } } }`,
      {
        input: {
          name: 'ci',
          description: 'build and test',
          stages: [
            { name: 'build', entries: [{ jobId: ids['build'] }] },
            { name: 'check', entries: [{ jobId: ids['test'], name: 'unit', needs: ['build'] }] },
          ],
        },
      },
    );
    ids['ci'] = created.createPipeline.id;
    expect(created.createPipeline.stages[1]).toEqual({
      name: 'check',
      entries: [{ name: 'unit', jobId: ids['test'], needs: ['build'], job: { name: 'test', command: 'make test' } }],
    });
    const read = await ok('query ($id: ID!) { pipeline(id: $id) { name description } }', { id: ids['ci'] }, READER);
    expect(read.pipeline).toEqual({ name: 'ci', description: 'build and test' });
  });

  it('resolves Job and Pipeline entities for the gateway', async () => {
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Job { name } ... on Pipeline { name } } }`;
    const reps = [
      { __typename: 'Job', id: ids['build'] },
      { __typename: 'Pipeline', id: ids['ci'] },
      { __typename: 'Job', id: 'J404' },
    ];
    expect((await ok(query, { reps }, READER))._entities).toEqual([{ name: 'build' }, { name: 'ci' }, null]);
    const sdl = (await ok('{ _service { sdl } }', {}, READER))._service.sdl as string;
    expect(sdl).toMatch(/type Job\s+@key\(fields: "id"\)/);
  });

  it('refuses an invalid pipeline with code and field, writing nothing', async () => {
    const answer = await graphql(
      `
        mutation ($input: PipelineInput!) {
          createPipeline(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          name: 'broken',
          stages: [
            { name: 'one', entries: [{ jobId: ids['build'], needs: ['test'] }] },
            { name: 'two', entries: [{ jobId: ids['test'] }] },
          ],
        },
      },
      WRITER,
    );
    expect(answer.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.stages[0].entries[0].needs[0]',
    });
    expect(answer.errors?.[0]?.message).toContain('later stage "two"');
    expect((await ok('{ pipelines { name } }', {}, READER)).pipelines).toEqual([{ name: 'ci' }]);
  });

  it('refuses a negative retention with the field path, and carries a valid one into the snapshot', async () => {
    const mutation =
      'mutation ($input: PipelineInput!) { createPipeline(input: $input) { id retention { runDays logDays } } }';
    const stages = [{ name: 'one', entries: [{ jobId: ids['build'] }] }];
    const refused = await graphql(mutation, { input: { name: 'short', stages, retention: { runDays: -7 } } }, WRITER);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.retention.runDays' });
    expect(refused.errors?.[0]?.message).toBe('runDays must be a whole number from 1 to 36500, got -7');
    const created = (await ok(mutation, { input: { name: 'short', stages, retention: { runDays: 7 } } }, WRITER))
      .createPipeline;
    expect(created.retention).toEqual({ runDays: 7, logDays: null });
    const schemas = { request: GetPipelineSnapshotRequestSchema, response: GetPipelineSnapshotResponseSchema };
    const answer = await request(
      client.nc,
      Subjects.pipelineSnapshot,
      schemas,
      create(schemas.request, { version: ContractVersion.CONTRACT_VERSION_1, pipelineId: created.id }),
    );
    expect(answer.result.case === 'snapshot' && answer.result.value.retention).toMatchObject({
      runDays: 7,
      logDays: 0,
    });
    await ok('mutation ($id: ID!) { deletePipeline(id: $id) }', { id: created.id }, WRITER);
  });

  it('refuses mutations to a reader and user management to a writer', async () => {
    const reader = await graphql('mutation { createJob(input: {name: "x", command: "y"}) { id } }', {}, READER);
    expect(reader.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const writer = await graphql('mutation { createUser(input: {name: "eve", role: admin}) { id } }', {}, WRITER);
    expect(writer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await graphql('mutation { deleteJob(id: "J1") }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await ok('{ jobs { name } }', {}, READER)).jobs).toHaveLength(2);
  });

  it('lets an admin create users and keys that verify over NATS', async () => {
    const user = (
      await ok('mutation { createUser(input: {name: "ci-bot", role: writer}) { id name role } }', {}, ADMIN)
    ).createUser;
    expect(user).toMatchObject({ name: 'ci-bot', role: 'writer' });
    const key = (
      await ok(
        'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { id name role key } }',
        { input: { userId: user.id, name: 'runner' } },
        ADMIN,
      )
    ).createApiKey;
    expect(key).toMatchObject({ name: 'runner', role: 'writer' });
    const answer = await verifyKey(key.key);
    expect(answer.result.value).toEqual(
      expect.objectContaining({ userId: user.id, userName: 'ci-bot', role: Role.WRITER, keyId: key.id }),
    );
    await ok('mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: key.id }, ADMIN);
    expect((await verifyKey(key.key)).result).toMatchObject({ case: 'error', value: { code: 'UNAUTHENTICATED' } });
  });

  it('answers snapshot and job requests over NATS', async () => {
    const schemas = { request: GetPipelineSnapshotRequestSchema, response: GetPipelineSnapshotResponseSchema };
    const v1 = ContractVersion.CONTRACT_VERSION_1;
    const answer = await request(
      client.nc,
      Subjects.pipelineSnapshot,
      schemas,
      create(schemas.request, { version: v1, pipelineId: ids['ci'] }),
    );
    if (answer.result.case !== 'snapshot') throw new Error(`expected a snapshot, got ${answer.result.case}`);
    const snapshot = answer.result.value;
    expect(snapshot).toMatchObject({ version: v1, pipelineId: ids['ci'], name: 'ci' });
    expect(snapshot.stages.map((stage) => stage.name)).toEqual(['build', 'check']);
    const unit = snapshot.stages[1]?.entries[0];
    expect(unit?.needs).toEqual(['build']);
    expect(unit?.name).toBe('unit');
    expect(unit?.job).toMatchObject({
      jobId: ids['test'],
      name: 'test',
      command: 'make test',
      image: 'gcc:14',
      maxAttempts: 2,
    });
    expect(snapshot.stages[0]?.entries[0]?.job).toMatchObject({ name: 'build', env: { CC: 'gcc' }, timeoutSec: 0 });

    const missing = await request(
      client.nc,
      Subjects.pipelineSnapshot,
      schemas,
      create(schemas.request, { version: v1, pipelineId: 'P404' }),
    );
    expect(missing.result).toMatchObject({ case: 'error', value: { code: 'NOT_FOUND' } });

    const jobSchemas = { request: GetJobRequestSchema, response: GetJobResponseSchema };
    const job = await request(
      client.nc,
      Subjects.jobGet,
      jobSchemas,
      create(GetJobRequestSchema, { version: v1, jobId: ids['build'] }),
    );
    expect(job.result).toMatchObject({
      case: 'job',
      value: { jobId: ids['build'], name: 'build', command: 'make', maxAttempts: 1 },
    });
    const noJob = await request(
      client.nc,
      Subjects.jobGet,
      jobSchemas,
      create(GetJobRequestSchema, { version: v1, jobId: 'J404' }),
    );
    expect(noJob.result).toMatchObject({ case: 'error', value: { code: 'NOT_FOUND' } });
  });

  it('updates and deletes, refusing to delete a job in use', async () => {
    const inUse = await graphql('mutation ($id: ID!) { deleteJob(id: $id) }', { id: ids['test'] }, WRITER);
    expect(inUse.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(inUse.errors?.[0]?.message).toContain('ci');
    const updated = await ok(
      'mutation ($id: ID!) { updateJob(id: $id, input: {image: null, timeoutSec: 30}) { image timeoutSec command } }',
      { id: ids['test'] },
    );
    expect(updated.updateJob).toEqual({ image: null, timeoutSec: 30, command: 'make test' });
    const replaced = await ok(
      'mutation ($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { name stages { entries { name } } } }',
      { id: ids['ci'], input: { name: 'ci', stages: [{ name: 'all', entries: [{ jobId: ids['build'] }] }] } },
    );
    expect(replaced.updatePipeline).toEqual({ name: 'ci', stages: [{ entries: [{ name: 'build' }] }] });
    expect((await ok('mutation ($id: ID!) { deleteJob(id: $id) }', { id: ids['test'] })).deleteJob).toBe(true);
    expect((await ok('mutation ($id: ID!) { deletePipeline(id: $id) }', { id: ids['ci'] })).deletePipeline).toBe(true);
    const gone = await graphql('query ($id: ID!) { pipeline(id: $id) { id } }', { id: ids['ci'] }, READER);
    expect(gone.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('keeps its data across a restart and does not bootstrap again', async () => {
    await service.stop();
    service = await startService();
    expect(service.bootstrapAdminKey).toBeUndefined();
    expect((await ok('{ jobs { name } }', {}, READER)).jobs).toEqual([{ name: 'build' }]);
  });
});
