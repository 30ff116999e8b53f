import type { RunningService } from '@fluxi/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCatalog } from './support/fake-catalog.js';
import { FakeExecutor, finishedEvent, startedEvent } from './support/fake-executor.js';
import {
  getRun,
  graphql,
  graphqlData,
  READER,
  RUN_FIELDS,
  startInfra,
  startScheduler,
  statusesByName,
  triggerPipeline,
  waitForEventsConsumed,
  waitForRunEnd,
  type Infra,
  type RunView,
} from './support/infra.js';

let infra: Infra;
let catalog: FakeCatalog;
let executor: FakeExecutor;
let scheduler: RunningService;

beforeAll(async () => {
  infra = await startInfra();
  catalog = await new FakeCatalog(infra.nats.nc).start();
  executor = new FakeExecutor(infra.nats, infra.redisServer.url).start();
  scheduler = await startScheduler(infra);
});

afterAll(async () => {
  await scheduler?.stop();
  await executor?.stop();
  catalog?.stop();
  await infra?.stop();
});

const pickupsOf = (run: RunView) => executor.pickups.filter((p) => p.pipelineRunId === run.id);

describe('a pipeline run', () => {
  it('runs three stages one after the other to SUCCESS', async () => {
    const pipelineId = catalog.addPipeline([
      [{ name: 'compile' }, { name: 'lint' }],
      [{ name: 'test' }],
      [{ name: 'deploy' }],
    ]);
    const created = await triggerPipeline(scheduler, pipelineId);
    expect(created).toMatchObject({ pipelineId, jobId: null, number: 1, trigger: 'manual' });
    expect(created.jobRuns.map((j) => [j.stage, j.name, j.attempt])).toEqual([
      ['stage1', 'compile', 1],
      ['stage1', 'lint', 1],
      ['stage2', 'test', 1],
      ['stage3', 'deploy', 1],
    ]);
    expect(created.jobRuns.every((j) => /^JR[0-9A-Z]{26}$/.test(j.id) && j.pipelineRunId === created.id)).toBe(true);

    const run = await waitForRunEnd(scheduler, created.id);
    expect(run.status).toBe('SUCCESS');
    expect(statusesByName(run)).toEqual({ compile: 'SUCCESS', lint: 'SUCCESS', test: 'SUCCESS', deploy: 'SUCCESS' });
    expect(run.jobRuns.every((j) => j.exitCode === 0 && j.startedAt !== null && j.endedAt !== null)).toBe(true);
    expect(run.startedAt).not.toBeNull();
    expect(run.endedAt).not.toBeNull();

    const pickups = pickupsOf(run);
    expect(pickups.map((p) => p.name).slice(2)).toEqual(['test', 'deploy']);
    expect(pickups.find((p) => p.name === 'test')?.finishedBefore.sort()).toEqual(['compile', 'lint']);
    expect(pickups.find((p) => p.name === 'deploy')?.finishedBefore.sort()).toEqual(['compile', 'lint', 'test']);
    // BullMQ job id = job-run id for the first attempt.
    expect(pickups.every((p) => p.bullJobId === p.jobRunId)).toBe(true);
  });

  it('keeps the snapshot it was triggered with when the definition changes', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'old-a' }]]);
    const first = await triggerPipeline(scheduler, pipelineId);
    catalog.setPipeline(pipelineId, [[{ name: 'new-a' }, { name: 'new-b' }]]);
    const second = await triggerPipeline(scheduler, pipelineId);
    expect((await waitForRunEnd(scheduler, first.id)).jobRuns.map((j) => j.name)).toEqual(['old-a']);
    expect((await waitForRunEnd(scheduler, second.id)).jobRuns.map((j) => j.name)).toEqual(['new-a', 'new-b']);
  });

  it('ends FAILED after a failure, skipping what can no longer run', async () => {
    const pipelineId = catalog.addPipeline([
      [{ name: 'f-build' }, { name: 'f-unit' }],
      [{ name: 'f-package', needs: ['f-unit'] }, { name: 'f-e2e' }],
      [{ name: 'f-release' }],
    ]);
    executor.behaviour = (job) => (job.job?.name === 'f-build' ? 'FAILED' : 'SUCCESS');
    try {
      const run = await waitForRunEnd(scheduler, (await triggerPipeline(scheduler, pipelineId)).id);
      expect(run.status).toBe('FAILED');
      // f-package needs only f-unit, which succeeded: it still runs (DAG); the rest is skipped.
      expect(statusesByName(run)).toEqual({
        'f-build': 'FAILED',
        'f-unit': 'SUCCESS',
        'f-package': 'SUCCESS',
        'f-e2e': 'SKIPPED',
        'f-release': 'SKIPPED',
      });
      expect(run.jobRuns[0]).toMatchObject({ exitCode: 3, failureClass: 'JOB', reason: 'exited with 3', attempt: 1 });
      expect(
        pickupsOf(run)
          .map((p) => p.name)
          .sort(),
      ).toEqual(['f-build', 'f-package', 'f-unit']);
    } finally {
      executor.behaviour = () => 'SUCCESS';
    }
  });

  it('lets the run succeed past an allowed failure', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'af-flaky', allowFailure: true }], [{ name: 'af-next' }]]);
    executor.behaviour = (job) => (job.job?.name === 'af-flaky' ? 'FAILED' : 'SUCCESS');
    try {
      const run = await waitForRunEnd(scheduler, (await triggerPipeline(scheduler, pipelineId)).id);
      expect(run.status).toBe('SUCCESS');
      expect(statusesByName(run)).toEqual({ 'af-flaky': 'FAILED', 'af-next': 'SUCCESS' });
    } finally {
      executor.behaviour = () => 'SUCCESS';
    }
  });

  it('retries a failed job up to maxAttempts with a new BullMQ job id', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'r-flaky', maxAttempts: 2 }], [{ name: 'r-after' }]]);
    executor.behaviour = (job) => (job.job?.name === 'r-flaky' && job.attempt === 1 ? 'FAILED' : 'SUCCESS');
    try {
      const run = await waitForRunEnd(scheduler, (await triggerPipeline(scheduler, pipelineId)).id);
      expect(run.status).toBe('SUCCESS');
      expect(run.jobRuns[0]).toMatchObject({
        name: 'r-flaky',
        status: 'SUCCESS',
        attempt: 2,
        exitCode: 0,
        failureClass: null,
      });
      const flaky = pickupsOf(run).filter((p) => p.name === 'r-flaky');
      expect(flaky.map((p) => [p.attempt, p.bullJobId])).toEqual([
        [1, run.jobRuns[0]?.id],
        [2, `${run.jobRuns[0]?.id}-a2`],
      ]);
    } finally {
      executor.behaviour = () => 'SUCCESS';
    }
  });

  it('fails a job that fails every attempt', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'r2-broken', maxAttempts: 2 }], [{ name: 'r2-after' }]]);
    executor.behaviour = (job) => (job.job?.name === 'r2-broken' ? 'FAILED' : 'SUCCESS');
    try {
      const run = await waitForRunEnd(scheduler, (await triggerPipeline(scheduler, pipelineId)).id);
      expect(run.status).toBe('FAILED');
      expect(run.jobRuns.map((j) => [j.name, j.status, j.attempt])).toEqual([
        ['r2-broken', 'FAILED', 2],
        ['r2-after', 'SKIPPED', 1],
      ]);
    } finally {
      executor.behaviour = () => 'SUCCESS';
    }
  });

  it('ignores duplicate and stale events', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'd-one', maxAttempts: 2 }], [{ name: 'd-two' }]]);
    executor.behaviour = (job) => (job.job?.name === 'd-one' && job.attempt === 1 ? 'FAILED' : 'SUCCESS');
    let run: RunView;
    try {
      run = await waitForRunEnd(scheduler, (await triggerPipeline(scheduler, pipelineId)).id);
    } finally {
      executor.behaviour = () => 'SUCCESS';
    }
    expect(run.status).toBe('SUCCESS');
    const pickups = executor.pickups.length;
    const [one, two] = run.jobRuns as [RunView['jobRuns'][0], RunView['jobRuns'][0]];
    const ref = (j: typeof one, attempt: number) => ({ jobRunId: j.id, pipelineRunId: run.id, attempt });
    // Same events again under new msgIDs (JetStream would drop exact duplicates itself),
    // a stale attempt, and a late failure of a finished job.
    await executor.publish(startedEvent(ref(one, 1)), 'dup-1');
    await executor.publish(finishedEvent(ref(one, 1), 'FAILED'), 'dup-2');
    await executor.publish(startedEvent(ref(one, 2)), 'dup-3');
    await executor.publish(finishedEvent(ref(two, 1), 'FAILED'), 'dup-4');
    await executor.publish(
      finishedEvent({ jobRunId: 'JR-unknown', pipelineRunId: run.id, attempt: 1 }, 'FAILED'),
      'dup-5',
    );
    await waitForEventsConsumed(infra);
    expect(await getRun(scheduler, run.id)).toEqual(run);
    expect(executor.pickups.length).toBe(pickups);
  });

  it('numbers runs per pipeline and runs single jobs numbered per job', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'n-a' }]]);
    const runs = await Promise.all([1, 2, 3].map(() => triggerPipeline(scheduler, pipelineId)));
    expect(runs.map((r) => r.number).sort()).toEqual([1, 2, 3]);
    const other = catalog.addPipeline([[{ name: 'n-b' }]]);
    expect((await triggerPipeline(scheduler, other)).number).toBe(1);

    const job = catalog.addJob({ name: 'solo' });
    const trigger = () =>
      graphqlData<{ triggerJob: RunView }>(scheduler, `mutation ($id: ID!) { triggerJob(id: $id) { ${RUN_FIELDS} } }`, {
        id: job.jobId,
      });
    const first = (await trigger()).triggerJob;
    const second = (await trigger()).triggerJob;
    expect(first).toMatchObject({ pipelineId: null, jobId: job.jobId, number: 1 });
    expect(second.number).toBe(2);
    expect(first.jobRuns.map((j) => [j.name, j.jobId, j.stage])).toEqual([['solo', job.jobId, 'job']]);
    expect((await waitForRunEnd(scheduler, first.id)).status).toBe('SUCCESS');

    await Promise.all(runs.map((r) => waitForRunEnd(scheduler, r.id)));
    const listed = await graphqlData<{ pipelineRuns: RunView[] }>(
      scheduler,
      `query ($p: ID!) { pipelineRuns(pipelineId: $p) { number status jobRuns { name } } }`,
      { p: pipelineId },
    );
    expect(listed.pipelineRuns.map((r) => r.number)).toEqual([3, 2, 1]);
    const limited = await graphqlData<{ pipelineRuns: RunView[] }>(
      scheduler,
      `query ($p: ID!) { pipelineRuns(pipelineId: $p, limit: 1) { number } }`,
      {
        p: pipelineId,
      },
    );
    expect(limited.pipelineRuns).toEqual([{ number: 3 }]);
  });
});

describe('the API', () => {
  it('maps catalog errors and checks roles', async () => {
    const missing = await graphql(scheduler, 'mutation { triggerPipeline(id: "P01ARZ3NDEKTSV4RRFFQ69G5FA") { id } }');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const missingJob = await graphql(scheduler, 'mutation { triggerJob(id: "J01ARZ3NDEKTSV4RRFFQ69G5FA") { id } }');
    expect(missingJob.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const pipelineId = catalog.addPipeline([[{ name: 'roles' }]]);
    const forbidden = await graphql(scheduler, `mutation { triggerPipeline(id: "${pipelineId}") { id } }`, {}, READER);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await graphql(scheduler, `mutation { triggerPipeline(id: "${pipelineId}") { id } }`, {}, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const badLimit = await graphql(scheduler, `query { pipelineRuns(pipelineId: "${pipelineId}", limit: 0) { id } }`);
    expect(badLimit.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect((await graphql(scheduler, 'query { pipelineRun(id: "R-none") { id } }', {}, READER)).data).toEqual({
      pipelineRun: null,
    });
  });

  it('answers UNAVAILABLE when the catalog does not answer', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'unavailable' }]]);
    catalog.stop();
    try {
      const result = await graphql(scheduler, `mutation { triggerPipeline(id: "${pipelineId}") { id } }`);
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    } finally {
      await catalog.start();
    }
  });

  it('resolves PipelineRun and JobRun references for the gateway', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'ref' }]]);
    const run = await waitForRunEnd(scheduler, (await triggerPipeline(scheduler, pipelineId)).id);
    const jobRunId = run.jobRuns[0]?.id;
    const result = await graphqlData<{ _entities: unknown[] }>(
      scheduler,
      `query ($r: [_Any!]!) { _entities(representations: $r) {
         ... on PipelineRun { id number status } ... on JobRun { id name status attempt } } }`,
      {
        r: [
          { __typename: 'PipelineRun', id: run.id },
          { __typename: 'JobRun', id: jobRunId },
          { __typename: 'JobRun', id: 'JR-none' },
        ],
      },
    );
    expect(result._entities).toEqual([
      { id: run.id, number: 1, status: 'SUCCESS' },
      { id: jobRunId, name: 'ref', status: 'SUCCESS', attempt: 1 },
      null,
    ]);
  });

  it('reports health', async () => {
    const response = await fetch(`${scheduler.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', service: 'scheduler' });
  });
});
