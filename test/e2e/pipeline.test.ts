import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { createTestDatabase, tempDir, waitFor, type TestDatabase } from '@fluxi/testkit';
import { gql } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, firstError } from './client.js';

const RUN = gql`
  query Run($id: ID!) {
    pipelineRun(id: $id) {
      id
      number
      status
      startedAt
      endedAt
      jobRuns {
        id
        jobId
        name
        stage
        status
        exitCode
        attempt
        startedAt
        endedAt
      }
    }
  }
`;
const LOGS = gql`
  query Logs($id: ID!) {
    jobRunLogs(jobRunId: $id) {
      lines {
        seq
        stream
        text
        ts
      }
    }
  }
`;

interface JobRunView {
  id: string;
  jobId: string;
  name: string;
  stage: string;
  status: string;
  exitCode: number | null;
  attempt: number;
  startedAt: string;
  endedAt: string;
}
interface RunView {
  id: string;
  number: number;
  status: string;
  startedAt: string | null;
  endedAt: string | null;
  jobRuns: JobRunView[];
}
interface LogView {
  seq: number;
  stream: string;
  text: string;
  ts: string;
}

const modes = [
  { name: 'embedded stores (PGlite, chDB)', postgres: false },
  { name: 'real PostgreSQL', postgres: true },
];

describe.each(modes)('a pipeline through the whole mesh — $name', ({ postgres }) => {
  const dir = tempDir('fluxi-e2e-');
  let database: TestDatabase | undefined;
  let system: FluxiSystem;
  let adminKey: string;

  async function boot(): Promise<FluxiSystem> {
    const config = loadConfig({
      flags: {
        dataDir: dir.path,
        'gateway.port': 0,
        'log.console': false,
        'executor.concurrency': 2,
        ...(database ? { 'database.url': database.url } : {}),
      },
    });
    return startFluxi(config, createLogger({ level: 'warn', console: false, dir: `${dir.path}/logs` }));
  }

  beforeAll(async () => {
    if (postgres) database = await createTestDatabase('fluxi_e2e');
    system = await boot();
    expect(system.adminKey).toMatch(/^fluxi_/);
    adminKey = system.adminKey as string;
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    dir.remove();
  });

  const api = () => client(system.url as string, adminKey);

  async function createJob(name: string, command: string): Promise<string> {
    const data = await api().request<{ createJob: { id: string } }>(
      gql`
        mutation ($input: CreateJobInput!) {
          createJob(input: $input) {
            id
          }
        }
      `,
      { input: { name, command } },
    );
    return data.createJob.id;
  }

  async function createPipeline(name: string, stages: { name: string; jobIds: string[] }[]): Promise<string> {
    const data = await api().request<{ createPipeline: { id: string } }>(
      gql`
        mutation ($input: PipelineInput!) {
          createPipeline(input: $input) {
            id
          }
        }
      `,
      { input: { name, stages: stages.map((s) => ({ name: s.name, entries: s.jobIds.map((jobId) => ({ jobId })) })) } },
    );
    return data.createPipeline.id;
  }

  async function trigger(pipelineId: string): Promise<string> {
    const data = await api().request<{ triggerPipeline: { id: string; number: number } }>(
      gql`
        mutation ($id: ID!) {
          triggerPipeline(id: $id) {
            id
            number
          }
        }
      `,
      { id: pipelineId },
    );
    return data.triggerPipeline.id;
  }

  async function finished(runId: string): Promise<RunView> {
    return waitFor(
      async () => {
        const { pipelineRun } = await api().request<{ pipelineRun: RunView }>(RUN, { id: runId });
        return ['SUCCESS', 'FAILED', 'CANCELLED'].includes(pipelineRun.status) ? pipelineRun : undefined;
      },
      { what: `run ${runId} to finish`, timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  async function logs(jobRunId: string, count: number): Promise<LogView[]> {
    return waitFor(
      async () => {
        const { jobRunLogs } = await api().request<{ jobRunLogs: { lines: LogView[] } }>(LOGS, { id: jobRunId });
        return jobRunLogs.lines.length >= count ? jobRunLogs.lines : undefined;
      },
      { what: `${count} log lines of ${jobRunId}`, timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  let okRunId: string;
  let failRunId: string;
  let printerRunId: string;

  it('runs a 3-stage pipeline to SUCCESS with its log lines in order', async () => {
    // Pauses between streams: stdout and stderr are two pipes, read in arrival order.
    const printer = await createJob(
      'printer',
      'echo one; sleep 0.3; echo two >&2; sleep 0.3; echo three; printf "no newline"',
    );
    const test = await createJob('test', 'echo testing $FLUXI_ATTEMPT');
    const deploy = await createJob('deploy', 'echo deploying');
    const pipelineId = await createPipeline('ship', [
      { name: 'build', jobIds: [printer] },
      { name: 'test', jobIds: [test] },
      { name: 'deploy', jobIds: [deploy] },
    ]);
    okRunId = await trigger(pipelineId);
    const run = await finished(okRunId);
    expect(run.status).toBe('SUCCESS');
    expect(run.number).toBe(1);
    expect(run.jobRuns.map((j) => [j.name, j.stage, j.status, j.exitCode, j.attempt])).toEqual([
      ['printer', 'build', 'SUCCESS', 0, 1],
      ['test', 'test', 'SUCCESS', 0, 1],
      ['deploy', 'deploy', 'SUCCESS', 0, 1],
    ]);
    // Stage order: each stage started after the previous one ended.
    const [b, t, d] = run.jobRuns;
    expect(Date.parse(t!.startedAt)).toBeGreaterThanOrEqual(Date.parse(b!.endedAt));
    expect(Date.parse(d!.startedAt)).toBeGreaterThanOrEqual(Date.parse(t!.endedAt));
    printerRunId = b!.id;
    const lines = await logs(printerRunId, 4);
    expect(lines.filter((l) => l.stream !== 'SYSTEM').map((l) => [l.stream, l.text])).toEqual([
      ['STDOUT', 'one'],
      ['STDERR', 'two'],
      ['STDOUT', 'three'],
      ['STDOUT', 'no newline'],
    ]);
    const seqs = lines.map((l) => l.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect((await logs(t!.id, 1)).map((l) => l.text)).toContain('testing 1');
  });

  it('ends a run FAILED when a job exits non-zero, and skips what comes after', async () => {
    const ok = await createJob('lint', 'echo lint ok');
    const broken = await createJob('broken', 'echo about to fail; exit 3');
    const after = await createJob('after', 'echo never');
    const pipelineId = await createPipeline('breaks', [
      { name: 'check', jobIds: [ok, broken] },
      { name: 'publish', jobIds: [after] },
    ]);
    failRunId = await trigger(pipelineId);
    const run = await finished(failRunId);
    expect(run.status).toBe('FAILED');
    expect(run.jobRuns.map((j) => [j.name, j.status, j.exitCode])).toEqual([
      ['lint', 'SUCCESS', 0],
      ['broken', 'FAILED', 3],
      ['after', 'SKIPPED', null],
    ]);
  });

  it('refuses invalid input with a code and the field at fault, writing nothing', async () => {
    const before = await api().request<{ pipelines: { id: string }[] }>(gql`
      {
        pipelines {
          id
        }
      }
    `);
    const error = await firstError(
      api().request(
        gql`
          mutation ($input: PipelineInput!) {
            createPipeline(input: $input) {
              id
            }
          }
        `,
        {
          input: { name: 'bad', stages: [{ name: 's', entries: [{ jobId: 'J00000000000000000000000000' }] }] },
        },
      ),
    );
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.field).toBe('input.stages[0].entries[0].jobId');
    const after = await api().request<{ pipelines: { id: string }[] }>(gql`
      {
        pipelines {
          id
        }
      }
    `);
    expect(after.pipelines).toEqual(before.pipelines);
  });

  it('needs an API key, and refuses a reader key a mutation', async () => {
    const health = await fetch(`${system.url}/health`);
    expect(health.status).toBe(200);
    const anonymous = await fetch(`${system.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ jobs { id } }' }),
    });
    expect(anonymous.status).toBe(401);
    const { createUser } = await api().request<{ createUser: { id: string } }>(gql`
      mutation {
        createUser(input: { name: "viewer", role: reader }) {
          id
        }
      }
    `);
    const { createApiKey } = await api().request<{ createApiKey: { key: string } }>(
      gql`
        mutation ($userId: ID!) {
          createApiKey(input: { userId: $userId, name: "viewer key" }) {
            key
          }
        }
      `,
      { userId: createUser.id },
    );
    const reader = client(system.url as string, createApiKey.key);
    expect(
      (
        await reader.request<{ jobs: unknown[] }>(gql`
          {
            jobs {
              id
            }
          }
        `)
      ).jobs.length,
    ).toBeGreaterThan(0);
    const refused = await firstError(
      reader.request(gql`
        mutation {
          createJob(input: { name: "x", command: "true" }) {
            id
          }
        }
      `),
    );
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toMatch(/reader/);
  });

  it('reads the same runs and logs back after a restart', async () => {
    const { pipelineRun: before } = await api().request<{ pipelineRun: RunView }>(RUN, { id: okRunId });
    const beforeLogs = await logs(printerRunId, 4);
    await system.stop();
    system = await boot();
    expect(system.adminKey).toBeUndefined();
    const { pipelineRun: after } = await api().request<{ pipelineRun: RunView }>(RUN, { id: okRunId });
    expect(after).toEqual(before);
    expect(await logs(printerRunId, 4)).toEqual(beforeLogs);
    const failed = await finished(failRunId);
    expect(failed.status).toBe('FAILED');
  });
});
