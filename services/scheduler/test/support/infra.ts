import { loadConfig, silentLogger, type Logger, type RunningService } from '@fluxi/common';
import { encodePrincipal, PRINCIPAL_HEADER, type Principal } from '@fluxi/graphql';
import { connectNats, type Nats } from '@fluxi/messaging';
import { startNatsServer, startRedisServer, tempDir, waitFor, type ServerProcess } from '@fluxi/testkit';
import { start } from '../../src/index.js';

/** Real nats-server and redis-server for one test file, plus a NATS client for the test. */
export interface Infra {
  natsServer: ServerProcess;
  redisServer: ServerProcess;
  nats: Nats;
  stop(): Promise<void>;
}

export async function startInfra(): Promise<Infra> {
  const [natsServer, redisServer] = await Promise.all([startNatsServer(), startRedisServer()]);
  const nats = await connectNats(natsServer.url, 'scheduler-test', silentLogger());
  return {
    natsServer,
    redisServer,
    nats,
    async stop() {
      await nats.close();
      await Promise.all([natsServer.stop(), redisServer.stop()]);
    },
  };
}

export interface SchedulerOptions {
  /** Data folder (embedded PGlite lives in `${dataDir}/db/scheduler`); a fresh one when unset. */
  dataDir?: string;
  /** PostgreSQL URL; PGlite when unset. */
  databaseUrl?: string;
  /** BullMQ prefix; `fluxi` when unset. */
  prefix?: string;
  /** More config keys, dotted (e.g. `scheduler.reconcileIntervalSec`). */
  flags?: Record<string, string | number | boolean>;
  /** Where the scheduler logs; silent when unset. */
  logger?: Logger;
}

export function startScheduler(infra: Infra, options: SchedulerOptions = {}): Promise<RunningService> {
  const config = loadConfig({
    flags: {
      dataDir: options.dataDir ?? tempDir('fluxi-scheduler-').path,
      'redis.prefix': options.prefix ?? 'fluxi',
      'log.level': 'silent',
      ...(options.databaseUrl === undefined ? {} : { 'database.url': options.databaseUrl }),
      ...options.flags,
    },
  });
  return start({
    config,
    natsUrl: infra.natsServer.url,
    redisUrl: infra.redisServer.url,
    logger: options.logger ?? silentLogger(),
  });
}

export const WRITER: Principal = { userId: 'U-writer', userName: 'writer', role: 'writer', keyId: 'K-writer' };
export const READER: Principal = { userId: 'U-reader', userName: 'reader', role: 'reader', keyId: 'K-reader' };

export interface GraphqlResult<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

/** Posts a GraphQL operation to the subgraph as the gateway would (principal header). */
export async function graphql<T = Record<string, unknown>>(
  service: RunningService,
  query: string,
  variables: Record<string, unknown> = {},
  /** null: no principal header at all. */
  principal: Principal | null = WRITER,
): Promise<GraphqlResult<T>> {
  const response = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(principal === null ? {} : { [PRINCIPAL_HEADER]: encodePrincipal(principal) }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlResult<T>;
}

/** Like graphql() but fails on errors and returns data. */
export async function graphqlData<T = Record<string, unknown>>(
  service: RunningService,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const result = await graphql<T>(service, query, variables);
  if (result.errors !== undefined || result.data === undefined) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

export const RUN_FIELDS = `id pipelineId jobId number status trigger createdAt startedAt endedAt
  jobRuns { id pipelineRunId jobId name stage status exitCode attempt failureClass reason startedAt endedAt }`;

export interface JobRunView {
  id: string;
  pipelineRunId: string;
  jobId: string;
  name: string;
  stage: string;
  status: string;
  exitCode: number | null;
  attempt: number;
  failureClass: string | null;
  reason: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

export interface RunView {
  id: string;
  pipelineId: string | null;
  jobId: string | null;
  number: number;
  status: string;
  trigger: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  jobRuns: JobRunView[];
}

export async function triggerPipeline(service: RunningService, id: string): Promise<RunView> {
  const data = await graphqlData<{ triggerPipeline: RunView }>(
    service,
    `mutation ($id: ID!) { triggerPipeline(id: $id) { ${RUN_FIELDS} } }`,
    { id },
  );
  return data.triggerPipeline;
}

export async function getRun(service: RunningService, id: string): Promise<RunView> {
  const data = await graphqlData<{ pipelineRun: RunView | null }>(
    service,
    `query ($id: ID!) { pipelineRun(id: $id) { ${RUN_FIELDS} } }`,
    { id },
  );
  if (data.pipelineRun === null) throw new Error(`run ${id} not found`);
  return data.pipelineRun;
}

const ENDED = new Set(['SUCCESS', 'FAILED', 'CANCELLED']);

/** Waits until the run has ended and returns it. */
export function waitForRunEnd(service: RunningService, id: string): Promise<RunView> {
  return waitFor(
    async () => {
      const run = await getRun(service, id);
      return ENDED.has(run.status) ? run : undefined;
    },
    { what: `run ${id} to end`, timeoutMs: 20_000 },
  );
}

/** Waits until the scheduler's durable consumer has acked every event published so far. */
export async function waitForEventsConsumed(infra: Infra): Promise<void> {
  await waitFor(
    async () => {
      const info = await infra.nats.jsm.consumers.info('FLUXI_EVENTS', 'scheduler-advance');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { what: 'events to be consumed' },
  );
}

export const statusesByName = (run: RunView): Record<string, string> =>
  Object.fromEntries(run.jobRuns.map((jobRun) => [jobRun.name, jobRun.status]));

export interface AttemptView {
  attempt: number;
  status: string;
  failureClass: string | null;
  reason: string | null;
}

/** The attempts of a job run, as the scheduler's GraphQL answers them. */
export async function attemptsOf(scheduler: RunningService, jobRunId: string): Promise<AttemptView[]> {
  const data = await graphqlData<{ jobRun: { attempts: AttemptView[] } }>(
    scheduler,
    'query ($id: ID!) { jobRun(id: $id) { attempts { attempt status failureClass reason } } }',
    { id: jobRunId },
  );
  return data.jobRun.attempts;
}
