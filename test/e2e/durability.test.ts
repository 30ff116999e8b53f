import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem, type Target } from '@fluxi/server';
import { tempDir, waitFor } from '@fluxi/testkit';
import { gql } from 'graphql-request';
import { afterAll, describe, expect, it } from 'vitest';
import { client } from './client.js';

describe('a restart of the launcher loses no queued work', () => {
  const dir = tempDir('fluxi-durable-');
  let system: FluxiSystem | undefined;

  const boot = (targets: Target[]) =>
    startFluxi(
      loadConfig({ flags: { dataDir: dir.path, 'gateway.port': 0, 'log.console': false } }),
      createLogger({ level: 'warn', console: false }),
      targets,
    );

  afterAll(async () => {
    await system?.stop();
    dir.remove();
  });

  it('runs a job queued while no executor was up, after stopping and starting everything', async () => {
    // No executor: the job waits in the local redis-server's queue.
    system = await boot(['catalog', 'logs', 'scheduler', 'gateway']);
    const key = system.adminKey as string;
    let api = client(system.url as string, key);
    const { createJob } = await api.request<{ createJob: { id: string } }>(gql`
      mutation {
        createJob(input: { name: "later", command: "echo survived" }) {
          id
        }
      }
    `);
    const { triggerJob } = await api.request<{ triggerJob: { id: string } }>(
      gql`
        mutation ($id: ID!) {
          triggerJob(id: $id) {
            id
          }
        }
      `,
      { id: createJob.id },
    );
    const status = async () =>
      (
        await api.request<{ pipelineRun: { status: string; jobRuns: { id: string; status: string }[] } }>(
          gql`
            query ($id: ID!) {
              pipelineRun(id: $id) {
                status
                jobRuns {
                  id
                  status
                }
              }
            }
          `,
          { id: triggerJob.id },
        )
      ).pipelineRun;
    expect((await status()).jobRuns[0]?.status).toBe('QUEUED');
    await system.stop();

    system = await boot(['all']);
    api = client(system.url as string, key);
    const run = await waitFor(
      async () => {
        const r = await status();
        return r.status === 'SUCCESS' ? r : undefined;
      },
      { what: 'the queued run to finish after restart', timeoutMs: 60_000 },
    );
    const lines = await waitFor(
      async () => {
        const { jobRunLogs } = await api.request<{ jobRunLogs: { text: string }[] }>(
          gql`
            query ($id: ID!) {
              jobRunLogs(jobRunId: $id) {
                text
              }
            }
          `,
          { id: run.jobRuns[0]?.id },
        );
        return jobRunLogs.some((l) => l.text === 'survived') ? jobRunLogs : undefined;
      },
      { what: 'the log line' },
    );
    expect(lines.map((l) => l.text)).toContain('survived');
  });
});
