import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './backends.js';
import { READER, startCatalog, type CatalogHarness } from './catalog-harness.js';

const JOB_FIELDS = `id name maxAttempts allowFailure artifacts
  retry { on exitCodes backoff delaySec maxDelaySec jitter }`;
const PIPELINE_FIELDS = `id name timeoutSec concurrency { group cancelOlder }
  stages { name entries { name jobId needs when allowFailure matrix { name values } } }`;
const SCHEDULE_FIELDS = 'id name pipelineId pipeline { name } cron at timezone enabled';

const CREATE_JOB = `mutation ($input: CreateJobInput!) { createJob(input: $input) { ${JOB_FIELDS} } }`;
const CREATE_PIPELINE = `mutation ($input: PipelineInput!) { createPipeline(input: $input) { ${PIPELINE_FIELDS} } }`;
const CREATE_SCHEDULE = `mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { ${SCHEDULE_FIELDS} } }`;
const COUNTS = '{ jobs { id } pipelines { id } schedules { id } }';

describe.each(backends)('catalog definitions through GraphQL on $name', (kind) => {
  let catalog: CatalogHarness;
  const ids: Record<string, string> = {};

  const counts = async (): Promise<number[]> => {
    const data = await catalog.ok(COUNTS, {}, READER);
    return [data.jobs.length, data.pipelines.length, data.schedules.length];
  };

  beforeAll(async () => {
    catalog = await startCatalog(kind);
  });

  afterAll(async () => {
    await catalog?.stop();
  });

  it('creates jobs with a retry policy and artifacts, and reads them back', async () => {
    const retry = {
      on: ['INFRASTRUCTURE', 'JOB'],
      exitCodes: [137],
      backoff: 'EXPONENTIAL',
      delaySec: 1.5,
      maxDelaySec: 30,
      jitter: true,
    };
    const build = (
      await catalog.ok(CREATE_JOB, {
        input: { name: 'build', command: 'make', maxAttempts: 3, retry, artifacts: ['dist/**'] },
      })
    ).createJob;
    expect(build).toMatchObject({ name: 'build', retry, artifacts: ['dist/**'] });
    ids['build'] = build.id;
    const test = (await catalog.ok(CREATE_JOB, { input: { name: 'test', command: 'make test' } })).createJob;
    expect(test.retry).toEqual({
      on: [],
      exitCodes: [],
      backoff: 'FIXED',
      delaySec: 0,
      maxDelaySec: null,
      jitter: false,
    });
    expect(test.artifacts).toEqual([]);
    ids['test'] = test.id;

    const read = await catalog.ok(`query ($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id: build.id }, READER);
    expect(read.job).toEqual(build);

    const patched = await catalog.ok(
      `mutation ($id: ID!) { updateJob(id: $id, input: { retry: { on: [TIMEOUT], delaySec: 2 } }) { retry { on delaySec backoff } artifacts } }`,
      { id: build.id },
    );
    expect(patched.updateJob).toEqual({
      retry: { on: ['TIMEOUT'], delaySec: 2, backoff: 'FIXED' },
      artifacts: ['dist/**'],
    });
  });

  it('refuses an invalid job with the field path, writing nothing', async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ retry: { on: ['TIMEOUT'], exitCodes: [1] } }, 'input.retry.exitCodes'],
      [{ retry: { exitCodes: [1, 300] } }, 'input.retry.exitCodes[1]'],
      [{ retry: { delaySec: 5, maxDelaySec: 1 } }, 'input.retry.maxDelaySec'],
      [{ artifacts: ['ok/*', '../secret'] }, 'input.artifacts[1]'],
      [{ artifacts: ['/abs'] }, 'input.artifacts[0]'],
    ];
    for (const [fields, field] of cases) {
      const error = await catalog.fail(CREATE_JOB, { input: { name: 'lint', command: 'x', ...fields } });
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    expect(await counts()).toEqual(before);
  });

  it('creates a job with a pool, tags, maxConcurrent and docker options, and clears them', async () => {
    const fields = 'id image pool tags maxConcurrent docker { pullPolicy cpus memoryMiB entrypoint keepOnFailure }';
    const created = (
      await catalog.ok(`mutation ($input: CreateJobInput!) { createJob(input: $input) { ${fields} } }`, {
        input: {
          name: 'train',
          command: 'python train.py',
          image: 'cuda:12',
          pool: 'linux-docker',
          tags: ['gpu', 'arm64'],
          maxConcurrent: 2,
          docker: { pullPolicy: 'NEVER', cpus: 2.5, memoryMiB: 1024, entrypoint: ['/bin/bash', '-c'] },
        },
      })
    ).createJob;
    expect(created).toMatchObject({
      pool: 'linux-docker',
      tags: ['gpu', 'arm64'],
      maxConcurrent: 2,
      docker: {
        pullPolicy: 'NEVER',
        cpus: 2.5,
        memoryMiB: 1024,
        entrypoint: ['/bin/bash', '-c'],
        keepOnFailure: false,
      },
    });
    const read = await catalog.ok(`query ($id: ID!) { job(id: $id) { ${fields} } }`, { id: created.id }, READER);
    expect(read.job).toEqual(created);
    const cleared = await catalog.ok(
      `mutation ($id: ID!) { updateJob(id: $id, input: { image: null, docker: null, pool: null, tags: [], maxConcurrent: null }) { ${fields} } }`,
      { id: created.id },
    );
    expect(cleared.updateJob).toEqual({
      id: created.id,
      image: null,
      pool: 'default',
      tags: [],
      maxConcurrent: null,
      docker: { pullPolicy: 'IF_NOT_PRESENT', cpus: null, memoryMiB: null, entrypoint: [], keepOnFailure: false },
    });
    await catalog.ok('mutation ($id: ID!) { deleteJob(id: $id) }', { id: created.id });
  });

  it('refuses a bad pool, tag, limit or docker option with its field', async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ pool: 'Linux Docker' }, 'input.pool', /pool "Linux Docker" is invalid: use 1-63 lowercase letters and digits/],
      [{ tags: ['gpu', 'gpu'] }, 'input.tags[1]', /tag "gpu" is listed twice/],
      [{ maxConcurrent: 0 }, 'input.maxConcurrent', /from 1 to 10000, got 0/],
      [{ docker: { memoryMiB: 512 } }, 'input.docker', /docker options apply to a job with an image/],
      [{ image: 'alpine', docker: { cpus: 300 } }, 'input.docker.cpus', /at most 256, got 300/],
      [{ image: 'alpine', docker: { memoryMiB: 2 } }, 'input.docker.memoryMiB', /from 4 to/],
    ];
    for (const [fields, field, message] of cases) {
      const error = await catalog.fail(CREATE_JOB, { input: { name: 'bad', command: 'x', ...fields } });
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
      expect(error.message).toMatch(message);
    }
    expect(await counts()).toEqual(before);
  });

  it('creates a pipeline with when, matrix, allowFailure, timeout and concurrency', async () => {
    const created = (
      await catalog.ok(CREATE_PIPELINE, {
        input: {
          name: 'ci',
          timeoutSec: 3600,
          concurrency: { group: 'deploy-production' },
          stages: [
            {
              name: 'build',
              entries: [{ jobId: ids['build'], matrix: [{ name: 'NODE', values: ['18', '20'] }], allowFailure: true }],
            },
            { name: 'report', entries: [{ jobId: ids['test'], name: 'notify', needs: ['build'], when: 'ON_FAILURE' }] },
          ],
        },
      })
    ).createPipeline;
    ids['ci'] = created.id;
    expect(created).toMatchObject({
      timeoutSec: 3600,
      concurrency: { group: 'deploy-production', cancelOlder: false },
    });
    expect(created.stages).toEqual([
      {
        name: 'build',
        entries: [
          {
            name: 'build',
            jobId: ids['build'],
            needs: [],
            when: 'ON_SUCCESS',
            allowFailure: true,
            matrix: [{ name: 'NODE', values: ['18', '20'] }],
          },
        ],
      },
      {
        name: 'report',
        entries: [
          { name: 'notify', jobId: ids['test'], needs: ['build'], when: 'ON_FAILURE', allowFailure: null, matrix: [] },
        ],
      },
    ]);
    const read = await catalog.ok(
      `query ($id: ID!) { pipeline(id: $id) { ${PIPELINE_FIELDS} } }`,
      { id: created.id },
      READER,
    );
    expect(read.pipeline).toEqual(created);
  });

  it('refuses an invalid pipeline with the field path, writing nothing', async () => {
    const before = await counts();
    const entry = (fields: Record<string, unknown>) => ({
      name: 'bad',
      stages: [{ name: 's', entries: [{ jobId: ids['build'] }, { jobId: ids['test'], ...fields }] }],
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [entry({ matrix: [{ name: 'A', values: [] }] }), 'input.stages[0].entries[1].matrix[0].values'],
      [entry({ matrix: [{ name: 'A', values: ['x', 'x'] }] }), 'input.stages[0].entries[1].matrix[0].values[1]'],
      [entry({ matrix: [{ name: 'A-B', values: ['x'] }] }), 'input.stages[0].entries[1].matrix[0].name'],
      [entry({ needs: ['nope'] }), 'input.stages[0].entries[1].needs[0]'],
      [{ ...entry({}), timeoutSec: 0 }, 'input.timeoutSec'],
      [{ ...entry({}), concurrency: { group: '' } }, 'input.concurrency.group'],
    ];
    for (const [input, field] of cases) {
      const error = await catalog.fail(CREATE_PIPELINE, { input });
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    const cycle = await catalog.fail(CREATE_PIPELINE, {
      input: {
        name: 'bad',
        stages: [
          {
            name: 's',
            entries: [
              { jobId: ids['build'], needs: ['test'] },
              { jobId: ids['test'], needs: ['build'] },
            ],
          },
        ],
      },
    });
    expect(cycle.message).toBe('needs form a cycle: "build" → "test" → "build"');
    expect(await counts()).toEqual(before);
  });

  it('creates, updates, lists and deletes schedules', async () => {
    const nightly = (
      await catalog.ok(CREATE_SCHEDULE, {
        input: { name: 'nightly', pipelineId: ids['ci'], cron: '0 3 * * *', timezone: 'Europe/Paris' },
      })
    ).createSchedule;
    expect(nightly).toMatchObject({
      name: 'nightly',
      pipelineId: ids['ci'],
      pipeline: { name: 'ci' },
      cron: '0 3 * * *',
      at: null,
      timezone: 'Europe/Paris',
      enabled: true,
    });
    expect(nightly.id).toMatch(/^S/);
    const once = (
      await catalog.ok(CREATE_SCHEDULE, {
        input: { name: 'release', pipelineId: ids['ci'], at: '2036-12-01T11:00:00+01:00' },
      })
    ).createSchedule;
    expect(once).toMatchObject({ cron: null, at: '2036-12-01T10:00:00.000Z', timezone: 'UTC' });

    const updated = await catalog.ok(
      `mutation ($id: ID!) { updateSchedule(id: $id, input: { enabled: false, cron: "@hourly" }) { cron enabled timezone } }`,
      { id: nightly.id },
    );
    expect(updated.updateSchedule).toEqual({ cron: '@hourly', enabled: false, timezone: 'Europe/Paris' });
    const listed = await catalog.ok('{ schedules { name } }', {}, READER);
    expect(listed.schedules).toEqual([{ name: 'nightly' }, { name: 'release' }]);
    const read = await catalog.ok(`query ($id: ID!) { schedule(id: $id) { name } }`, { id: once.id }, READER);
    expect(read.schedule).toEqual({ name: 'release' });

    const inUse = await catalog.fail('mutation ($id: ID!) { deletePipeline(id: $id) }', { id: ids['ci'] });
    expect(inUse.extensions?.code).toBe('CONFLICT');
    expect((await catalog.ok('mutation ($id: ID!) { deleteSchedule(id: $id) }', { id: once.id })).deleteSchedule).toBe(
      true,
    );
    const forbidden = await catalog.fail('mutation ($id: ID!) { deleteSchedule(id: $id) }', { id: nightly.id }, READER);
    expect(forbidden.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses an invalid schedule with the field path, writing nothing', async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ cron: '61 * * * *' }, 'input.cron', 'BAD_USER_INPUT'],
      [{ cron: '@daily', at: '2036-01-01T00:00:00Z' }, 'input.at', 'BAD_USER_INPUT'],
      [{ cron: null, at: '2020-01-01T00:00:00Z' }, 'input.at', 'BAD_USER_INPUT'],
      [{ cron: '0 0 31 2 *' }, 'input.cron', 'BAD_USER_INPUT'],
      [{ cron: '@daily', pipelineId: null, targets: [{ jobId: 'J404' }] }, 'input.targets[0].jobId', 'BAD_USER_INPUT'],
      [{ cron: '@daily', timezone: 'Mars/Olympus' }, 'input.timezone', 'BAD_USER_INPUT'],
      [{ cron: '@daily', pipelineId: 'P404' }, 'input.pipelineId', 'BAD_USER_INPUT'],
      [{ cron: '@daily', name: 'nightly' }, 'input.name', 'CONFLICT'],
    ];
    for (const [fields, field, code] of cases) {
      const error = await catalog.fail(CREATE_SCHEDULE, { input: { name: 'other', pipelineId: ids['ci'], ...fields } });
      expect(error.extensions).toEqual({ code, field });
    }
    expect(await counts()).toEqual(before);
  });
});
