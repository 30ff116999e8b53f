import type { GraphQLClient } from 'graphql-request';
import { waitFor } from '@fluxi/testkit';

/** Typed helpers over the gateway's GraphQL API for the pipeline tests. */

export interface JobInput {
  name: string;
  command: string;
  timeoutSec?: number;
  maxAttempts?: number;
  allowFailure?: boolean;
  workdir?: string;
  env?: { name: string; value?: string; secret?: boolean }[];
  retry?: {
    on?: string[];
    exitCodes?: number[];
    backoff?: 'FIXED' | 'EXPONENTIAL';
    delaySec?: number;
    maxDelaySec?: number;
    jitter?: boolean;
  };
  artifacts?: string[];
  pool?: string;
  tags?: string[];
  maxConcurrent?: number;
  docker?: {
    pullPolicy?: 'IF_NOT_PRESENT' | 'ALWAYS' | 'NEVER';
    cpus?: number;
    memoryMiB?: number;
    entrypoint?: string[];
    keepOnFailure?: boolean;
  };
}

export interface EntryInput {
  jobId: string;
  name?: string;
  needs?: string[];
  when?: 'ON_SUCCESS' | 'ON_FAILURE' | 'ALWAYS';
  allowFailure?: boolean;
  matrix?: { name: string; values: string[] }[];
  pool?: string;
  tags?: string[];
}

export interface PipelineInput {
  name: string;
  stages: { name: string; entries: EntryInput[] }[];
  timeoutSec?: number;
  concurrency?: { group: string; cancelOlder?: boolean };
}

export interface AttemptView {
  attempt: number;
  status: string;
  exitCode: number | null;
  failureClass: string | null;
  reason: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

export interface JobRunView {
  id: string;
  name: string;
  entry: string;
  stage: string;
  status: string;
  exitCode: number | null;
  attempt: number;
  failureClass: string | null;
  reason: string | null;
  reusedFrom: string | null;
  startedAt: string | null;
  endedAt: string | null;
  matrix: { name: string; value: string }[];
  attempts: AttemptView[];
  artifacts: { path: string; sizeBytes: number; downloadPath: string }[];
}

export interface RunView {
  id: string;
  number: number;
  status: string;
  warnings: boolean;
  reason: string | null;
  trigger: string;
  triggeredByName: string | null;
  branch: string | null;
  commit: string | null;
  rerunOf: string | null;
  failedOnly: boolean;
  waiting: boolean;
  concurrencyGroup: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  stages: { index: number; name: string; status: string; startedAt: string | null; endedAt: string | null }[];
  jobRuns: JobRunView[];
}

export interface LogLineView {
  seq: number;
  stream: string;
  text: string;
  attempt: number;
}

export interface LogPageView {
  lines: LogLineView[];
  attempt: number;
  totalCount: number;
  nextCursor: string | null;
  hasMore: boolean;
}

const RUN_FIELDS = `
  id number status warnings reason trigger triggeredByName branch commit rerunOf failedOnly waiting concurrencyGroup
  createdAt startedAt endedAt
  stages { index name status startedAt endedAt }
  jobRuns {
    id name entry stage status exitCode attempt failureClass reason reusedFrom startedAt endedAt
    matrix { name value }
    attempts { attempt status exitCode failureClass reason startedAt endedAt }
    artifacts { path sizeBytes downloadPath }
  }
`;

export class FluxiApi {
  constructor(readonly gql: GraphQLClient) {}

  async createJob(input: JobInput): Promise<string> {
    const data = await this.gql.request<{ createJob: { id: string } }>(
      'mutation ($input: CreateJobInput!) { createJob(input: $input) { id } }',
      { input },
    );
    return data.createJob.id;
  }

  async createPipeline(input: PipelineInput): Promise<string> {
    const data = await this.gql.request<{ createPipeline: { id: string } }>(
      'mutation ($input: PipelineInput!) { createPipeline(input: $input) { id } }',
      { input },
    );
    return data.createPipeline.id;
  }

  /** Runs one job on its own; resolves with the run's id. */
  async triggerJob(jobId: string): Promise<string> {
    const data = await this.gql.request<{ triggerJob: { id: string } }>(
      'mutation ($id: ID!) { triggerJob(id: $id) { id } }',
      { id: jobId },
    );
    return data.triggerJob.id;
  }

  async trigger(
    pipelineId: string,
    options?: { branch?: string; commit?: string; trigger?: string },
  ): Promise<RunView> {
    const data = await this.gql.request<{ triggerPipeline: RunView }>(
      `mutation ($id: ID!, $options: TriggerOptions) { triggerPipeline(id: $id, options: $options) { ${RUN_FIELDS} } }`,
      { id: pipelineId, options },
    );
    return data.triggerPipeline;
  }

  async run(id: string): Promise<RunView> {
    const data = await this.gql.request<{ pipelineRun: RunView }>(
      `query ($id: ID!) { pipelineRun(id: $id) { ${RUN_FIELDS} } }`,
      { id },
    );
    return data.pipelineRun;
  }

  /** Waits for the run to end (SUCCESS, FAILED or CANCELLED). */
  ended(id: string, timeoutMs = 60_000): Promise<RunView> {
    return waitFor(
      async () => {
        const run = await this.run(id);
        return ['SUCCESS', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
      },
      { what: `run ${id} to end`, timeoutMs, intervalMs: 100 },
    );
  }

  /** Waits until a job run of the run named `name` has `status`. */
  jobRunIn(runId: string, name: string, status: string): Promise<JobRunView> {
    return waitFor(async () => (await this.run(runId)).jobRuns.find((j) => j.name === name && j.status === status), {
      what: `${name} of ${runId} to be ${status}`,
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  }

  /** One page of a job run's log lines (`jobRunLogs`), as a client reads it. */
  async logPage(
    jobRunId: string,
    options: { attempt?: number; after?: string | null; first?: number } = {},
  ): Promise<LogPageView> {
    const data = await this.gql.request<{ jobRunLogs: LogPageView }>(
      `query ($id: ID!, $attempt: Int, $after: String, $first: Int) {
        jobRunLogs(jobRunId: $id, attempt: $attempt, after: $after, first: $first) {
          lines { seq stream text attempt } attempt totalCount nextCursor hasMore
        }
      }`,
      { id: jobRunId, ...options },
    );
    return data.jobRunLogs;
  }

  /** Every log line of one attempt (the job run's latest unless `attempt` is given), page after page. */
  async logLines(jobRunId: string, attempt?: number): Promise<LogLineView[]> {
    const lines: LogLineView[] = [];
    let after: string | null = null;
    for (;;) {
      const page: LogPageView = await this.logPage(jobRunId, { attempt, after });
      lines.push(...page.lines);
      if (!page.hasMore) return lines;
      after = page.nextCursor;
    }
  }

  /** Output lines of one attempt (the latest unless `attempt` is given), once `until` holds for them. */
  logs(jobRunId: string, until: (lines: string[]) => boolean, attempt?: number): Promise<string[]> {
    return waitFor(
      async () => {
        const lines = (await this.logLines(jobRunId, attempt)).map((line) => line.text);
        return until(lines) ? lines : undefined;
      },
      { what: `log lines of ${jobRunId}`, timeoutMs: 30_000, intervalMs: 100 },
    );
  }
}

/** Milliseconds of an ISO time that must be there. */
export function ms(iso: string | null): number {
  if (iso === null) throw new Error('expected a time');
  return Date.parse(iso);
}
