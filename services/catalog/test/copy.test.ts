import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyName } from '../src/transport/graphql/copy-resolvers.js';
import { backends } from './backends.js';
import { READER, startCatalog, type CatalogHarness } from './catalog-harness.js';

const JOB = `id name command image env { name value } timeoutSec maxAttempts allowFailure artifacts pool tags
  maxConcurrent checkout secrets retry { on exitCodes backoff delaySec maxDelaySec jitter } docker { pullPolicy memoryMiB }`;
const PIPELINE = `id name description timeoutSec concurrency { group cancelOlder } retention { runDays logDays }
  stages { name entries { name jobId needs when allowFailure pool tags matrix { name values } } }
  git { repository branches tags events hasWebhookSecret }`;
const SCHEDULE = 'id name cron at timezone enabled overlap missedFires targets { pipelineId jobId }';

const strip = ({ id: _id, name: _name, ...rest }: Record<string, unknown>) => rest;

describe('copyName', () => {
  it('takes -copy, then -copy-2, -copy-3…, within 100 characters', () => {
    expect(copyName('build', new Set())).toBe('build-copy');
    expect(copyName('build', new Set(['build-copy', 'build-copy-2']))).toBe('build-copy-3');
    const long = 'x'.repeat(100);
    expect(copyName(long, new Set())).toHaveLength(100);
    expect(copyName(long, new Set([`${'x'.repeat(95)}-copy`]))).toBe(`${'x'.repeat(93)}-copy-2`);
  });
});

describe.each(backends)('copyJob, copyPipeline, copySchedule on $name', (kind) => {
  let catalog: CatalogHarness;
  let jobId: string;
  let pipelineId: string;
  let scheduleId: string;

  beforeAll(async () => {
    catalog = await startCatalog(kind);
    const job = await catalog.ok(`mutation ($input: CreateJobInput!) { createJob(input: $input) { ${JOB} } }`, {
      input: {
        name: 'build',
        command: 'make',
        image: 'alpine:3',
        env: [{ name: 'A', value: '1' }],
        timeoutSec: 60,
        maxAttempts: 3,
        retry: { on: ['JOB'], backoff: 'EXPONENTIAL', delaySec: 2 },
        artifacts: ['out/**'],
        tags: ['linux'],
        maxConcurrent: 2,
        docker: { memoryMiB: 256 },
        checkout: true,
        secrets: ['DEPLOY_TOKEN'],
      },
    });
    jobId = job.createJob.id;
    const pipeline = await catalog.ok(
      `mutation ($input: PipelineInput!) { createPipeline(input: $input) { ${PIPELINE} } }`,
      {
        input: {
          name: 'ci',
          description: 'the pipeline',
          timeoutSec: 600,
          concurrency: { group: 'ci', cancelOlder: true },
          retention: { runDays: 3 },
          git: { repository: 'https://example.org/a/b.git', branches: ['main'], webhookSecret: 'x'.repeat(20) },
          stages: [
            { name: 'one', entries: [{ jobId, name: 'b1', matrix: [{ name: 'OS', values: ['a', 'b'] }] }] },
            { name: 'two', entries: [{ jobId, name: 'b2', needs: ['b1'], when: 'ALWAYS', allowFailure: true }] },
          ],
        },
      },
    );
    pipelineId = pipeline.createPipeline.id;
    const schedule = await catalog.ok(
      `mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { ${SCHEDULE} } }`,
      {
        input: {
          name: 'nightly',
          cron: '30 2 * * 1-5',
          timezone: 'Europe/Paris',
          targets: [{ pipelineId }, { jobId }],
          overlap: 'SKIP',
          missedFires: 'ALL',
        },
      },
    );
    scheduleId = schedule.createSchedule.id;
  });

  afterAll(async () => {
    await catalog?.stop();
  });

  it('copies a job: a new id, the next free name, the same definition', async () => {
    const copy = `mutation ($id: ID!, $name: String) { copyJob(id: $id, name: $name) { ${JOB} } }`;
    const original = (await catalog.ok(`query ($id: ID!) { job(id: $id) { ${JOB} } }`, { id: jobId })).job;
    const first = (await catalog.ok(copy, { id: jobId })).copyJob;
    const second = (await catalog.ok(copy, { id: jobId })).copyJob;
    const named = (await catalog.ok(copy, { id: jobId, name: 'build-2' })).copyJob;
    expect([first.name, second.name, named.name]).toEqual(['build-copy', 'build-copy-2', 'build-2']);
    expect(new Set([jobId, first.id, second.id, named.id]).size).toBe(4);
    for (const job of [first, second, named]) expect(strip(job)).toEqual(strip(original));
  });

  it('copies a pipeline with its stages and git source, without the webhook secret', async () => {
    const query = `query ($id: ID!) { pipeline(id: $id) { ${PIPELINE} } }`;
    const original = (await catalog.ok(query, { id: pipelineId })).pipeline;
    const copy = (await catalog.ok(`mutation ($id: ID!) { copyPipeline(id: $id) { ${PIPELINE} } }`, { id: pipelineId }))
      .copyPipeline;
    expect(copy.name).toBe('ci-copy');
    expect(copy.id).not.toBe(pipelineId);
    expect(original.git.hasWebhookSecret).toBe(true);
    expect(copy.git.hasWebhookSecret).toBe(false);
    const withoutSecret = (pipeline: Record<string, unknown>) => ({
      ...strip(pipeline),
      git: { ...(pipeline['git'] as object), hasWebhookSecret: null },
    });
    expect(withoutSecret(copy)).toEqual(withoutSecret(original));
  });

  it('copies a schedule disabled, with the same timing, targets and policies', async () => {
    const query = `query ($id: ID!) { schedule(id: $id) { ${SCHEDULE} } }`;
    const original = (await catalog.ok(query, { id: scheduleId })).schedule;
    const copy = (
      await catalog.ok(`mutation ($id: ID!) { copySchedule(id: $id, name: "later") { ${SCHEDULE} } }`, {
        id: scheduleId,
      })
    ).copySchedule;
    expect(copy).toMatchObject({ name: 'later', enabled: false });
    expect(original.enabled).toBe(true);
    expect({ ...strip(copy), enabled: true }).toEqual(strip(original));
  });

  it('refuses a reader, an unknown id, a taken name and an invalid one', async () => {
    const copy = 'mutation ($id: ID!, $name: String) { copyJob(id: $id, name: $name) { id } }';
    expect((await catalog.fail(copy, { id: jobId }, READER)).extensions?.code).toBe('FORBIDDEN');
    expect((await catalog.fail(copy, { id: 'J00000000000000000000000000' })).extensions?.code).toBe('NOT_FOUND');
    expect((await catalog.fail(copy, { id: jobId, name: 'build' })).extensions).toMatchObject({
      code: 'CONFLICT',
      field: 'input.name',
    });
    expect((await catalog.fail(copy, { id: jobId, name: 'has space' })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.name',
    });
    const schedule = 'mutation ($id: ID!) { copySchedule(id: $id) { id } }';
    expect((await catalog.fail(schedule, { id: scheduleId }, READER)).extensions?.code).toBe('FORBIDDEN');
    const pipeline = 'mutation ($id: ID!) { copyPipeline(id: $id) { id } }';
    expect((await catalog.fail(pipeline, { id: pipelineId }, READER)).extensions?.code).toBe('FORBIDDEN');
  });
});
