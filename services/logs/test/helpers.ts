import {
  configSchema,
  createLogger,
  silentLogger,
  type FluxiConfig,
  type FluxiConfigInput,
  type RunningService,
} from '@fluxi/common';
import { ContractVersion, create, LogChunkSchema, LogStream, Streams, Subjects } from '@fluxi/contracts';
import { encode, type Nats } from '@fluxi/messaging';
import { chdbPath, LOGS_DURABLE, start } from '../src/index.js';
import { LogStore } from '../src/store/log-store.js';
import type { LogPage } from '../src/domain/log-query.js';
import type { LogLineView } from '../src/transport/graphql.js';

export interface TestLine {
  seq: number;
  stream: 'STDOUT' | 'STDERR' | 'SYSTEM';
  text: string;
  attempt: number;
}

const STREAMS = { STDOUT: LogStream.STDOUT, STDERR: LogStream.STDERR, SYSTEM: LogStream.SYSTEM } as const;
// Recent: lines older than their retention (logs.retentionDays, 30) are dropped by the store's TTL.
const T0 = Date.now() - 60_000;

/** The ts a test line gets: a fixed instant plus its seq in ms, so reads can check it exactly. */
export const tsOf = (line: { seq: number }): string => new Date(T0 + line.seq).toISOString();

/** Lines `from`..`to` of an attempt, cycling through the three streams. */
export function lines(attempt: number, from: number, to: number, label = 'line'): TestLine[] {
  const names = ['STDOUT', 'STDERR', 'SYSTEM'] as const;
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    seq: from + i,
    stream: names[(from + i) % 3] as TestLine['stream'],
    text: `${label} ${from + i} of attempt ${attempt} — "quoted", 'single', \\back\\slash, tab\tend`,
    attempt,
  }));
}

/** Publishes lines as one LogChunk, as the executor does (binary, msgID `${jobRunId}.${attempt}.${firstSeq}`). */
export async function publishChunk(
  nats: Nats,
  ids: { pipelineRunId: string; jobRunId: string },
  chunkLines: TestLine[],
  msgID?: string,
): Promise<void> {
  const first = chunkLines[0];
  const chunk = create(LogChunkSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: ids.jobRunId,
    pipelineRunId: ids.pipelineRunId,
    lines: chunkLines.map((line) => ({
      seq: BigInt(line.seq),
      stream: STREAMS[line.stream],
      text: line.text,
      tsMs: BigInt(T0 + line.seq),
      attempt: line.attempt,
    })),
  });
  await nats.js.publish(Subjects.logChunk(ids.pipelineRunId, ids.jobRunId), encode(LogChunkSchema, chunk), {
    msgID: msgID ?? `${ids.jobRunId}.${first?.attempt ?? 0}.${first?.seq ?? 0}`,
  });
}

/** Silent unless FLUXI_TEST_DEBUG is set (then debug lines on stdout). */
export const testLogger = () => (process.env['FLUXI_TEST_DEBUG'] ? createLogger({ level: 'debug' }) : silentLogger());

/** Config for a test service: chDB under `dataDir` unless `clickhouseUrl` is given; quick batches. */
export function testConfig(dataDir: string, overrides: FluxiConfigInput = {}): FluxiConfig {
  return configSchema.parse({ dataDir, log: { level: 'silent' }, logs: { flushMs: 50, batchSize: 100 }, ...overrides });
}

export function startLogs(dataDir: string, natsUrl: string, overrides: FluxiConfigInput = {}): Promise<RunningService> {
  return start({ config: testConfig(dataDir, overrides), natsUrl, redisUrl: '', logger: testLogger() });
}

/**
 * Reads one attempt through a store of its own at the service's chDB folder (chDB
 * shares one engine between connections to the same folder), closed again after the read.
 */
export async function storeLines(dataDir: string, jobRunId: string, attempt = 1): Promise<TestLine[]> {
  const store = await LogStore.open({ url: undefined, chdbPath: chdbPath(dataDir), logger: silentLogger() });
  try {
    const read = await store.lines({ jobRunId, attempt, afterSeq: undefined, limit: 1_000_000 });
    return read.map(({ seq, stream, text, attempt: of }) => ({ seq, stream, text, attempt: of }));
  } finally {
    await store.close();
  }
}

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

/** Posts a GraphQL query to a subgraph like a client (or the gateway) would. */
export async function graphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResult<T>;
}

export const JOB_RUN_LOGS = `query($id: ID!, $attempt: Int, $after: String, $first: Int) {
  jobRunLogs(jobRunId: $id, attempt: $attempt, after: $after, first: $first) {
    lines { seq stream text ts attempt level }
    attempt totalCount nextCursor hasMore
  }
}`;

export type LogPageView = LogPage<LogLineView>;

/** One page of `jobRunLogs`; throws on GraphQL errors. */
export async function graphqlPage(url: string, variables: Record<string, unknown>): Promise<LogPageView> {
  const result = await graphql<{ jobRunLogs: LogPageView }>(url, JOB_RUN_LOGS, variables);
  if (result.errors !== undefined || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data.jobRunLogs;
}

/** Every line of one attempt (the latest unless `attempt` is given), page after page. */
export async function graphqlLines(url: string, variables: Record<string, unknown>): Promise<LogLineView[]> {
  const all: LogLineView[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await graphqlPage(url, { ...variables, after });
    all.push(...page.lines);
    if (!page.hasMore) return all;
    after = page.nextCursor;
  }
}

/** The view GraphQL gives of test lines. */
export const asViews = (expected: TestLine[]): LogLineView[] =>
  expected.map((line) => ({
    seq: line.seq,
    stream: line.stream,
    text: line.text,
    ts: tsOf(line),
    attempt: line.attempt,
    // Test chunks say no level.
    level: 'NONE',
  }));

/** The logs service's durable consumer on FLUXI_LOGS, as JetStream sees it. */
export function consumerInfo(nats: Nats) {
  return nats.jsm.consumers.info(Streams.logs.name, LOGS_DURABLE);
}
