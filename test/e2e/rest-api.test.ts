import { waitFor } from '@fluxi/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { client } from './client.js';
import type { Json } from './rest-client.js';
import { committed, restCalls, startRestFluxi } from './rest-fixture.js';

/**
 * The REST API through a running Fluxi: the seed's endpoints, copy, problem+json errors, the
 * reader refused on every write operation the OpenAPI document lists, users, API keys, secrets
 * and the audit log. The OpenAPI document itself and Swagger UI: rest-openapi.test.ts.
 */

const fluxi = startRestFluxi();
const { rest, ok, errors } = restCalls(fluxi);
let readerKey: string;
let readerId: string;

beforeAll(async () => {
  const gql = client(fluxi.url, fluxi.adminKey);
  const user = await gql.request<Json>('mutation { createUser(input: { name: "rita", role: reader }) { id } }');
  const key = await gql.request<Json>(
    'mutation ($userId: ID!) { createApiKey(input: { userId: $userId, name: "ci" }) { key } }',
    { userId: user.createUser.id },
  );
  readerKey = key.createApiKey.key;
  readerId = user.createUser.id;
});

describe('REST /api/v1', () => {
  let jobId: string;
  let pipelineId: string;
  let scheduleId: string;
  let runId: string;
  let jobRunId: string;

  it("runs the seed's endpoints: create, list, get and run a job, which succeeds", async () => {
    const job = await ok('POST', '/jobs', { name: 'hello', command: 'echo hello-from-rest' }, 201);
    expect(job).toMatchObject({ name: 'hello', command: 'echo hello-from-rest', maxAttempts: 1, pool: 'default' });
    jobId = job.id;
    const list = await ok('GET', '/jobs');
    expect(list).toEqual({ items: [job], nextCursor: null });
    expect(await ok('GET', `/jobs/${jobId}`)).toEqual(job);

    const run = await ok('POST', `/jobs/${jobId}/run`, undefined, 201);
    expect(run).toMatchObject({ jobId, number: 1, trigger: 'api' });
    runId = run.id;
    const done = await waitFor(
      async () => {
        const current = await ok('GET', `/pipeline-runs/${runId}`);
        return ['SUCCESS', 'FAILED', 'CANCELLED'].includes(current.status) ? current : undefined;
      },
      { timeoutMs: 60_000, what: 'the run to end' },
    );
    expect(done.status).toBe('SUCCESS');
    jobRunId = done.jobRuns[0].id;
    expect(await ok('GET', `/job-runs/${jobRunId}`)).toMatchObject({ id: jobRunId, status: 'SUCCESS', exitCode: 0 });
    const logs = await waitFor(async () => {
      const page = await ok('GET', `/job-runs/${jobRunId}/logs`);
      return page.lines.some((line: Json) => line.text === 'hello-from-rest') ? page : undefined;
    });
    expect(logs).toMatchObject({ attempt: 1, hasMore: false });
    const found = await waitFor(async () => {
      const page = await ok('GET', '/logs/search?q=hello-from-rest&context=0');
      return page.hits.length > 0 ? page : undefined;
    });
    expect(found.hits[0]).toMatchObject({ jobRunId, text: 'hello-from-rest', before: [], after: [] });
    expect(await ok('GET', `/job-runs/${jobRunId}/artifacts`)).toEqual({ items: [] });
  });

  it('replaces, patches and deletes jobs; pages lists with limit and cursor', async () => {
    const extra = await ok('POST', '/jobs', { name: 'extra', command: 'true', timeoutSec: 30, maxAttempts: 2 }, 201);
    const patched = await ok('PATCH', `/jobs/${extra.id}`, { command: 'false' });
    expect(patched).toMatchObject({ command: 'false', timeoutSec: 30, maxAttempts: 2 });
    const replaced = await ok('PUT', `/jobs/${extra.id}`, { name: 'extra', command: 'date' });
    expect(replaced).toMatchObject({ command: 'date', timeoutSec: null, maxAttempts: 1 });
    const first = await ok('GET', '/jobs?limit=1');
    expect(first.items.map((item: Json) => item.name)).toEqual(['extra']);
    const second = await ok('GET', `/jobs?limit=1&cursor=${first.nextCursor as string}`);
    expect(second).toMatchObject({ items: [{ name: 'hello' }], nextCursor: null });
    expect((await rest('DELETE', `/jobs/${extra.id}`)).status).toBe(204);
    expect((await rest('GET', `/jobs/${extra.id}`)).status).toBe(404);
  });

  it('creates, patches, runs and copies pipelines and schedules', async () => {
    const pipeline = await ok(
      'POST',
      '/pipelines',
      { name: 'ci', stages: [{ name: 'one', entries: [{ jobId }] }], timeoutSec: 600 },
      201,
    );
    pipelineId = pipeline.id;
    const patched = await ok('PATCH', `/pipelines/${pipelineId}`, { description: 'the pipeline' });
    expect(patched).toMatchObject({ description: 'the pipeline', timeoutSec: 600, stages: pipeline.stages });
    const run = await ok('POST', `/pipelines/${pipelineId}/run`, { branch: 'main' }, 201);
    expect(run).toMatchObject({ pipelineId, branch: 'main', trigger: 'api' });
    const again = await ok('POST', `/pipelines/${pipelineId}/run`, undefined, 201);
    const runs = await ok('GET', `/pipeline-runs?pipelineId=${pipelineId}&limit=1`);
    expect(runs.items.map((item: Json) => item.id)).toEqual([again.id]);
    const older = await ok(
      'GET',
      `/pipeline-runs?pipelineId=${pipelineId}&limit=1&cursor=${runs.nextCursor as string}`,
    );
    expect(older).toEqual({ items: [expect.objectContaining({ id: run.id, number: 1 })], nextCursor: null });

    const copy = await ok('POST', `/pipelines/${pipelineId}/copy`, undefined, 201);
    expect(copy).toMatchObject({ name: 'ci-copy', description: 'the pipeline', stages: pipeline.stages });
    expect(copy.id).not.toBe(pipelineId);
    const jobCopy = await ok('POST', `/jobs/${jobId}/copy`, { name: 'hello-again' }, 201);
    expect(jobCopy).toMatchObject({ name: 'hello-again', command: 'echo hello-from-rest' });
    expect(jobCopy.id).not.toBe(jobId);
    expect((await ok('POST', `/jobs/${jobId}/copy`, {}, 201)).name).toBe('hello-copy');

    const schedule = await ok(
      'POST',
      '/schedules',
      { name: 'nightly', targets: [{ pipelineId }], cron: '0 3 * * *', timezone: 'UTC' },
      201,
    );
    scheduleId = schedule.id;
    expect(schedule).toMatchObject({ enabled: true, description: expect.stringContaining('03:00') });
    const scheduleCopy = await ok('POST', `/schedules/${scheduleId}/copy`, undefined, 201);
    expect(scheduleCopy).toMatchObject({ name: 'nightly-copy', enabled: false, cron: '0 3 * * *', nextFireTimes: [] });
    expect(scheduleCopy.targets).toEqual(schedule.targets);
    expect(await ok('PATCH', `/schedules/${scheduleCopy.id}`, { enabled: true })).toMatchObject({ enabled: true });
    expect(await ok('PATCH', `/schedules/${scheduleId}`, { enabled: false })).toMatchObject({ enabled: false });
    expect(await ok('GET', `/schedules/${scheduleId}/history`)).toEqual({ items: [], nextCursor: null });
  });

  it('answers errors as problem+json with the code and the field at fault', async () => {
    const badName = await rest('POST', '/jobs', { name: 'has space', command: 'true' });
    expect(badName.status).toBe(400);
    expect(badName.type).toContain('application/problem+json');
    expect(badName.body).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'BAD_USER_INPUT',
      field: 'name',
    });
    expect(badName.body.detail).toContain('job name');
    const nested = await rest('POST', '/pipelines', {
      name: 'bad',
      stages: [{ name: 'one', entries: [{ jobId: 'J-none' }] }],
    });
    expect(nested.body).toMatchObject({ status: 400, field: 'stages[0].entries[0].jobId' });
    expect((await rest('POST', '/jobs', { name: 'x', command: 5 })).body).toMatchObject({
      status: 400,
      field: 'command',
    });
    expect((await rest('POST', '/jobs', { name: 'x', command: 'y', colour: 'red' })).body).toMatchObject({
      status: 400,
      field: 'colour',
    });
    expect((await rest('POST', '/jobs', '{"name": ')).body).toMatchObject({ status: 400, field: 'body' });
    expect((await rest('POST', '/jobs')).body).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect((await rest('GET', '/jobs?limit=0')).body).toMatchObject({ status: 400, field: 'limit' });
    expect((await rest('GET', '/jobs?cursor=nonsense')).body).toMatchObject({ status: 400, field: 'cursor' });
    expect((await rest('GET', '/logs/search?level=LOUD')).body).toMatchObject({ status: 400, field: 'level' });
    const taken = await rest('POST', '/jobs', { name: 'hello', command: 'true' });
    expect(taken.body).toMatchObject({ status: 409, code: 'CONFLICT', field: 'name', title: 'Conflict' });

    for (const path of [
      '/jobs/J00000000000000000000000000',
      '/pipelines/P00000000000000000000000000',
      '/schedules/S00000000000000000000000000',
      '/pipeline-runs/R00000000000000000000000000',
      '/job-runs/JR0000000000000000000000000',
      '/contexts/nothing-by-this-name',
    ]) {
      const missing = await rest('GET', path);
      expect(missing.status, path).toBe(404);
      expect(missing.type).toContain('application/problem+json');
      expect(missing.body).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not Found' });
    }
    const unknown = await rest('GET', '/no-such-thing');
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(unknown.type).toContain('application/problem+json');
    const wrongMethod = await rest('DELETE', `/pipeline-runs/${runId}`);
    expect(wrongMethod.body).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    const noKey = await rest('GET', '/jobs', undefined, null);
    expect(noKey.status).toBe(401);
  });

  it('refuses a reader key on every write operation of the OpenAPI document', async () => {
    const ids: Record<string, string> = {
      jobs: jobId,
      pipelines: pipelineId,
      schedules: scheduleId,
      'pipeline-runs': runId,
      'job-runs': jobRunId,
      contexts: 'hello',
      executors: 'host:1',
      users: readerId,
      'api-keys': 'K-none',
      secrets: 'SEC-none',
      notifications: 'NS-none',
      'notification-deliveries': 'ND-none',
    };
    const writes = Object.entries(committed.paths as Record<string, Json>).flatMap(([path, item]) =>
      Object.entries(item)
        // Logins are for everyone (open, or ending one's own session): not writes.
        .filter(([method]) => method !== 'get' && !path.startsWith('/auth/'))
        .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation: operation as Json })),
    );
    expect(writes.length).toBeGreaterThan(20);
    const refused: string[] = [];
    for (const { method, path, operation } of writes) {
      const concrete = path.replace(/^\/([^/]+)\/\{\w+\}/, (_match, collection: string) => {
        const id = ids[collection];
        expect(id, `an id for ${path}`).toBeDefined();
        return `/${collection}/${encodeURIComponent(id as string)}`;
      });
      const body = operation.requestBody?.content?.['application/json']?.example as unknown;
      if (operation.requestBody?.required === true) expect(body, `an example body for ${method} ${path}`).toBeDefined();
      const answer = await rest(method, concrete, body, readerKey);
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(403);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.body.code).toBe('FORBIDDEN');
      refused.push(`${method} ${path}`);
    }
    expect(refused).toContain('POST /jobs');
    expect(refused).toContain('POST /jobs/{id}/run');
    // Nothing a reader asked for was done.
    expect((await ok('GET', '/jobs')).items.map((job: Json) => job.name)).toEqual([
      'hello',
      'hello-again',
      'hello-copy',
    ]);
    // And the reader reads.
    expect((await rest('GET', `/jobs/${jobId}`, undefined, readerKey)).status).toBe(200);
  });

  it('manages users, API keys and secrets, and reads the audit log', async () => {
    const user = await ok('POST', '/users', { name: 'wendy', role: 'writer' }, 201);
    expect(user).toMatchObject({ name: 'wendy', role: 'writer', disabled: false, hasPassword: false, apiKeys: [] });
    expect((await ok('GET', '/users')).items.map((item: Json) => item.name)).toContain('wendy');
    const key = await ok('POST', '/api-keys', { userId: user.id, name: 'laptop' }, 201);
    expect(key).toMatchObject({ name: 'laptop', role: 'writer', key: expect.stringMatching(/^fluxi_/) });
    expect((await ok('GET', `/api-keys?userId=${user.id as string}`)).items).toMatchObject([{ id: key.id }]);
    expect((await rest('GET', '/jobs', undefined, key.key)).status).toBe(200);
    expect(await ok('PATCH', `/users/${user.id as string}`, { disabled: true })).toMatchObject({ disabled: true });
    await waitFor(async () => (await rest('GET', '/jobs', undefined, key.key)).status === 401, {
      what: "the disabled user's key refused",
    });
    expect((await ok('DELETE', `/api-keys/${key.id as string}`)).revokedAt).not.toBeNull();

    const secret = await rest('POST', '/secrets', { name: 'DEPLOY_TOKEN', value: 'rest-secret-value' });
    expect(secret.status).toBe(200);
    expect(secret.body).toMatchObject({ name: 'DEPLOY_TOKEN', scope: 'GLOBAL', pipelineId: null });
    expect(JSON.stringify(secret.body)).not.toContain('rest-secret-value');
    const secrets = await ok('GET', '/secrets');
    expect(secrets.items.map((item: Json) => item.name)).toEqual(['DEPLOY_TOKEN']);
    expect(JSON.stringify(secrets)).not.toContain('rest-secret-value');
    expect((await rest('DELETE', `/secrets/${secret.body.id as string}`)).status).toBe(204);
    expect((await rest('POST', '/secrets', { name: 'BAD NAME', value: 'xxxxxxxx' })).body).toMatchObject({
      status: 400,
      field: 'name',
    });

    // Mutations made through REST are audited like GraphQL ones.
    const audit = await waitFor(async () => {
      const page = await ok('GET', '/audit?action=createUser&limit=10');
      return page.items.some((entry: Json) => entry.target === 'wendy' || entry.details.includes('wendy'))
        ? page
        : undefined;
    });
    expect(audit.items[0]).toMatchObject({ action: 'createUser', outcome: 'success' });
    expect((await rest('GET', '/audit', undefined, readerKey)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await rest('DELETE', `/users/${user.id as string}`)).status).toBe(204);
    expect((await rest('GET', `/users/${user.id as string}`)).status).toBe(404);
  });

  it('never answers a stack trace or a server path', () => {
    expect(errors.length).toBeGreaterThan(20);
    for (const { request, text } of errors) {
      expect(text, request).not.toMatch(/stack|\/work\/|node_modules|\.ts:\d|\.js:\d/i);
    }
  });
});
