import { ClientError, GraphQLClient } from 'graphql-request';
import { waitFor } from '@fluxi/testkit';

/** A GraphQL client for the gateway, as a user's script would use it. */
export function client(url: string, key: string): GraphQLClient {
  return new GraphQLClient(`${url}/graphql`, { headers: { authorization: `Bearer ${key}` } });
}

export interface GqlErrorShape {
  message: string;
  code: unknown;
  field: unknown;
  line: unknown;
}

/** The first GraphQL error a request fails with. */
export async function firstError(promise: Promise<unknown>): Promise<GqlErrorShape> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClientError) {
      const first = error.response.errors?.[0];
      return {
        message: first?.message ?? '',
        code: first?.extensions?.['code'],
        field: first?.extensions?.['field'],
        line: first?.extensions?.['line'],
      };
    }
    throw error;
  }
  throw new Error('expected the request to fail');
}

export interface RunSummary {
  status: string;
  jobRuns: { id: string; status: string }[];
}

/** Creates a one-command job and runs it on its own; resolves with the run id. */
export async function runJob(api: GraphQLClient, name: string, command: string): Promise<string> {
  const { createJob } = await api.request<{ createJob: { id: string } }>(
    'mutation ($input: CreateJobInput!) { createJob(input: $input) { id } }',
    { input: { name, command } },
  );
  const { triggerJob } = await api.request<{ triggerJob: { id: string } }>(
    'mutation ($id: ID!) { triggerJob(id: $id) { id } }',
    { id: createJob.id },
  );
  return triggerJob.id;
}

export async function runSummary(api: GraphQLClient, runId: string): Promise<RunSummary> {
  const { pipelineRun } = await api.request<{ pipelineRun: RunSummary }>(
    'query ($id: ID!) { pipelineRun(id: $id) { status jobRuns { id status } } }',
    { id: runId },
  );
  return pipelineRun;
}

/** Waits until the run has ended (SUCCESS, FAILED or CANCELLED). */
export function runEnded(api: GraphQLClient, runId: string, timeoutMs = 60_000): Promise<RunSummary> {
  return waitFor(
    async () => {
      const run = await runSummary(api, runId);
      return ['SUCCESS', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
    },
    { what: `run ${runId} to end`, timeoutMs },
  );
}

/** Waits until a job run has at least one log line; resolves with the texts. */
export function logTexts(api: GraphQLClient, jobRunId: string): Promise<string[]> {
  return waitFor(
    async () => {
      const { jobRunLogs } = await api.request<{ jobRunLogs: { text: string }[] }>(
        'query ($id: ID!) { jobRunLogs(jobRunId: $id) { text } }',
        { id: jobRunId },
      );
      return jobRunLogs.length > 0 ? jobRunLogs.map((l) => l.text) : undefined;
    },
    { what: `log lines of ${jobRunId}` },
  );
}
