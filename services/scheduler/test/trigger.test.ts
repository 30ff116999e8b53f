import type { RunningService } from '@fluxi/common';
import {
  ContractVersion,
  create,
  GitPushSchema,
  Subjects,
  TriggerRunRequestSchema,
  TriggerRunResponseSchema,
  TriggerSource,
  type TriggerRunRequest,
} from '@fluxi/contracts';
import { request } from '@fluxi/messaging';
import { createTestDatabase, type TestDatabase } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCatalog } from './support/fake-catalog.js';
import { FakeExecutor } from './support/fake-executor.js';
import { graphql, graphqlData, startInfra, startScheduler, waitForRunEnd, type Infra } from './support/infra.js';

let infra: Infra;
let catalog: FakeCatalog;
let executor: FakeExecutor;
let scheduler: RunningService;
let database: TestDatabase;

beforeAll(async () => {
  infra = await startInfra();
  database = await createTestDatabase('fluxi_trigger');
  catalog = await new FakeCatalog(infra.nats.nc).start();
  executor = new FakeExecutor(infra.nats, infra.redisServer.url).start();
  // Real PostgreSQL: two triggers with one key race on the unique index there.
  scheduler = await startScheduler(infra, { databaseUrl: database.url });
});

afterAll(async () => {
  await scheduler?.stop();
  await executor?.stop();
  catalog?.stop();
  await infra?.stop();
  await database?.drop();
});

type Init = Partial<Omit<TriggerRunRequest, '$typeName' | 'version'>>;

async function trigger(init: Init) {
  const reply = await request(
    infra.nats.nc,
    Subjects.trigger,
    { request: TriggerRunRequestSchema, response: TriggerRunResponseSchema },
    create(TriggerRunRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, ...init }),
  );
  return reply.result;
}

const PROVENANCE = `id number trigger branch commit idempotencyKey scheduleId plannedAt webhookDeliveryId
  git { repository ref refType commit author message compareUrl }`;

describe('the one trigger (fluxi.scheduler.trigger)', () => {
  it('starts a run with its provenance, and answers the first run for a second delivery with the key', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'build' }]]);
    const commit = 'a'.repeat(40);
    const init: Init = {
      target: { case: 'pipelineId', value: pipelineId },
      source: TriggerSource.WEBHOOK,
      idempotencyKey: `webhook:github:delivery-1:${pipelineId}`,
      webhookDeliveryId: 'delivery-1',
      git: create(GitPushSchema, {
        repository: 'https://github.com/acme/app.git',
        ref: 'refs/heads/main',
        refType: 'branch',
        commit,
        author: 'Ada',
        message: 'Fix the build',
        compareUrl: 'https://github.com/acme/app/compare/1...2',
      }),
    };
    const first = await trigger(init);
    expect(first.case).toBe('run');
    const created = first.value as { pipelineRunId: string; created: boolean; number: number };
    expect(created).toMatchObject({ created: true, number: 1 });
    const again = await trigger(init);
    expect(again.value).toMatchObject({ pipelineRunId: created.pipelineRunId, created: false, number: 1 });

    const { pipelineRun } = await graphqlData<{ pipelineRun: Record<string, unknown> }>(
      scheduler,
      `query ($id: ID!) { pipelineRun(id: $id) { ${PROVENANCE} } }`,
      { id: created.pipelineRunId },
    );
    expect(pipelineRun).toEqual({
      id: created.pipelineRunId,
      number: 1,
      trigger: 'webhook',
      branch: 'main',
      commit,
      idempotencyKey: `webhook:github:delivery-1:${pipelineId}`,
      scheduleId: null,
      plannedAt: null,
      webhookDeliveryId: 'delivery-1',
      git: {
        repository: 'https://github.com/acme/app.git',
        ref: 'refs/heads/main',
        refType: 'branch',
        commit,
        author: 'Ada',
        message: 'Fix the build',
        compareUrl: 'https://github.com/acme/app/compare/1...2',
      },
    });
    expect((await waitForRunEnd(scheduler, created.pipelineRunId)).status).toBe('SUCCESS');
    const { pipelineRuns } = await graphqlData<{ pipelineRuns: unknown[] }>(
      scheduler,
      'query ($id: ID!) { pipelineRuns(pipelineId: $id) { id } }',
      { id: pipelineId },
    );
    expect(pipelineRuns).toHaveLength(1);
  });

  it('lets the database decide between triggers with one key at the same time', async () => {
    const { jobId } = catalog.addJob({ name: 'tick' });
    const plannedAt = Date.parse('2026-12-05T10:00:00Z');
    const init: Init = {
      target: { case: 'jobId', value: jobId },
      source: TriggerSource.SCHEDULE,
      scheduleId: 'S01TEST',
      plannedAtMs: BigInt(plannedAt),
      idempotencyKey: `schedule:S01TEST:${new Date(plannedAt).toISOString()}`,
    };
    const answers = await Promise.all(Array.from({ length: 8 }, () => trigger(init)));
    const runs = answers.map((answer) => answer.value as { pipelineRunId: string; created: boolean });
    expect(new Set(runs.map((run) => run.pipelineRunId)).size).toBe(1);
    expect(runs.filter((run) => run.created)).toHaveLength(1);
    const { pipelineRun } = await graphqlData<{ pipelineRun: Record<string, unknown> }>(
      scheduler,
      `query ($id: ID!) { pipelineRun(id: $id) { trigger scheduleId plannedAt } }`,
      { id: runs[0]?.pipelineRunId },
    );
    expect(pipelineRun).toEqual({ trigger: 'schedule', scheduleId: 'S01TEST', plannedAt: '2026-12-05T10:00:00.000Z' });
  });

  it('refuses a request without a target or a source, and names a missing pipeline', async () => {
    expect(await trigger({ source: TriggerSource.API })).toMatchObject({
      case: 'error',
      value: { code: 'BAD_USER_INPUT', field: 'target' },
    });
    const pipelineId = catalog.addPipeline([[{ name: 'x' }]]);
    expect(await trigger({ target: { case: 'pipelineId', value: pipelineId } })).toMatchObject({
      case: 'error',
      value: { code: 'BAD_USER_INPUT', field: 'source' },
    });
    expect(
      await trigger({ target: { case: 'pipelineId', value: 'P01NOSUCHPIPELINE' }, source: TriggerSource.API }),
    ).toMatchObject({ case: 'error', value: { code: 'NOT_FOUND' } });
  });

  it('answers a GraphQL trigger with the run as committed: what reading it back gives', async () => {
    // A second stage that waits: its job run stays PENDING whatever the executor does meanwhile.
    const pipelineId = catalog.addPipeline([[{ name: 'build' }, { name: 'lint' }], [{ name: 'ship' }]]);
    const fields = `id pipelineId jobId number trigger triggeredByName branch commit idempotencyKey rerunOf
      failedOnly timeoutSec concurrencyGroup createdAt variables { name value }
      jobRuns { id pipelineRunId jobId name entry stage matrix { name value } when allowFailure maxAttempts }`;
    const answer = await graphqlData<{ triggerPipeline: Record<string, unknown> }>(
      scheduler,
      `mutation ($id: ID!) { triggerPipeline(id: $id, options: {
        trigger: API, branch: "main", commit: "${'b'.repeat(40)}", idempotencyKey: "answer-1",
        variables: [{ name: "B", value: "2" }, { name: "A", value: "1" }] }) { ${fields} } }`,
      { id: pipelineId },
    );
    const run = answer.triggerPipeline;
    const read = await graphqlData<{ pipelineRun: Record<string, unknown> }>(
      scheduler,
      `query ($id: ID!) { pipelineRun(id: $id) { ${fields} } }`,
      { id: run['id'] },
    );
    expect(run).toEqual(read.pipelineRun);
    expect(run).toMatchObject({
      branch: 'main',
      variables: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    });
    const state = `triggerPipeline(id: $id) { jobRuns { name status } }`;
    const statuses = await graphqlData<{ triggerPipeline: { jobRuns: unknown[] } }>(
      scheduler,
      `mutation ($id: ID!) { ${state} }`,
      { id: pipelineId },
    );
    expect(statuses.triggerPipeline.jobRuns).toEqual([
      { name: 'build', status: 'QUEUED' },
      { name: 'lint', status: 'QUEUED' },
      { name: 'ship', status: 'PENDING' },
    ]);
  });

  it('takes an idempotency key from GraphQL clients too', async () => {
    const { jobId } = catalog.addJob({ name: 'deploy' });
    const mutation = `mutation ($id: ID!, $key: String) {
      triggerJob(id: $id, options: { trigger: API, idempotencyKey: $key }) { id trigger idempotencyKey } }`;
    const first = await graphqlData<{ triggerJob: { id: string } }>(scheduler, mutation, {
      id: jobId,
      key: 'deploy-42',
    });
    const second = await graphqlData<{ triggerJob: { id: string } }>(scheduler, mutation, {
      id: jobId,
      key: 'deploy-42',
    });
    expect(second.triggerJob).toEqual(first.triggerJob);
    expect(first.triggerJob).toMatchObject({ trigger: 'api', idempotencyKey: 'deploy-42' });
    const tooLong = await graphql(scheduler, mutation, { id: jobId, key: 'k'.repeat(300) });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'options.idempotencyKey' });
  });
});
