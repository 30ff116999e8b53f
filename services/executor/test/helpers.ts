import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import {
  configSchema,
  newId,
  IdPrefix,
  silentLogger,
  type FluxiConfig,
  type FluxiConfigInput,
  type Logger,
} from '@fluxi/common';
import {
  ArtifactSourceSchema,
  ContractVersion,
  ExecuteJobSchema,
  JobRunEventSchema,
  JobSpecSchema,
  LogChunkSchema,
  LogStream,
  Streams,
  create,
  executeJobId,
  executeQueueName,
  toJson,
  type ExecuteJob,
  type JobRunEvent,
  type JobRunFinished,
  type JobSpec,
  type LogChunk,
  type LogLine,
} from '@fluxi/contracts';
import { connectNats, decode, redisConnection, type Nats } from '@fluxi/messaging';
import { processAlive, startNatsServer, startRedisServer, tempDir, waitFor, type ServerProcess } from '@fluxi/testkit';
import { start, type RunningExecutor } from '../src/index.js';

/** Sections of the configuration a test may set besides `executor`. */
export interface ConfigExtras {
  contexts?: Partial<FluxiConfig['contexts']>;
  artifacts?: Partial<FluxiConfig['artifacts']>;
}

/**
 * A configuration for a test executor. Its Docker driver is off unless the test
 * turns it on (docker-*.test.ts, with the engine the testkit starts), so no
 * test touches an engine of the machine.
 */
export function testConfig(
  dataDir: string,
  executor: NonNullable<FluxiConfigInput['executor']> = {},
  extras: ConfigExtras = {},
): FluxiConfig {
  return configSchema.parse({
    dataDir,
    redis: { prefix: `t${Math.random().toString(36).slice(2, 8)}` },
    executor: { killGraceSec: 1, docker: { enabled: false }, ...executor },
    ...extras,
  });
}

/** nats-server and redis-server on free ports, a client connection, a collector and a temp folder. */
export interface TestServers {
  natsServer: ServerProcess;
  redisServer: ServerProcess;
  nats: Nats;
  collector: StreamCollector;
  dirs: { path: string; remove: () => void };
  stop(): Promise<void>;
}

export async function startTestServers(prefix: string): Promise<TestServers> {
  const [natsServer, redisServer] = await Promise.all([startNatsServer(), startRedisServer()]);
  const dirs = tempDir(prefix);
  const nats = await connectNats(natsServer.url, `${prefix}test`, silentLogger());
  const collector = await StreamCollector.start(nats);
  return {
    natsServer,
    redisServer,
    nats,
    collector,
    dirs,
    async stop() {
      await collector.stop();
      await nats.close();
      await Promise.all([natsServer.stop(), redisServer.stop()]);
      dirs.remove();
    },
  };
}

/** An executor on the test servers and the queue of its pool. */
export interface TestExecutor {
  executor: RunningExecutor;
  queue: Queue;
  config: FluxiConfig;
  stop(): Promise<void>;
}

export async function startTestExecutor(
  servers: TestServers,
  config: FluxiConfig,
  logger: Logger = silentLogger(),
  natsUrl = servers.natsServer.url,
): Promise<TestExecutor> {
  const executor = await start({ config, natsUrl, redisUrl: servers.redisServer.url, logger });
  const queue = new Queue(executeQueueName(config.executor.pool), {
    connection: redisConnection(servers.redisServer.url),
    prefix: config.redis.prefix,
  });
  return {
    executor,
    queue,
    config,
    async stop() {
      await executor.stop();
      await queue.close();
    },
  };
}

/** A data folder under the servers' temp folder. */
export const dataDirOf = (servers: TestServers, name = 'data'): string => join(servers.dirs.path, name);

export function executeJob(
  job: Partial<Omit<JobSpec, '$typeName'>>,
  attempt = 1,
  artifactsFrom: Array<{ name: string; jobRunId: string }> = [],
): ExecuteJob {
  return create(ExecuteJobSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: newId(IdPrefix.jobRun),
    pipelineRunId: newId(IdPrefix.pipelineRun),
    attempt,
    job: create(JobSpecSchema, { jobId: newId(IdPrefix.job), name: 'test', ...job }),
    artifactsFrom: artifactsFrom.map((source) => create(ArtifactSourceSchema, source)),
  });
}

/** Enqueues exactly as the scheduler does (see the brief's queue contract). */
export async function enqueue(queue: Queue, message: ExecuteJob): Promise<ExecuteJob> {
  await queue.add(
    'execute',
    { payload: toJson(ExecuteJobSchema, message) },
    {
      jobId: executeJobId(message.jobRunId, message.attempt),
      attempts: 1,
      removeOnComplete: { age: 86400, count: 10000 },
      removeOnFail: { age: 86400, count: 10000 },
    },
  );
  return message;
}

export interface AttemptRecord {
  events: JobRunEvent[];
  finished: JobRunFinished;
  started: JobRunEvent;
  chunks: LogChunk[];
  lines: LogLine[];
}

/** Reads everything the executors publish, from the start of both streams (ordered consumers). */
export class StreamCollector {
  readonly events: JobRunEvent[] = [];
  readonly chunks: LogChunk[] = [];
  private readonly stops: Array<() => Promise<void>> = [];

  static async start(nats: Nats): Promise<StreamCollector> {
    const collector = new StreamCollector();
    await collector.follow(nats, Streams.events.name, (data) => collector.events.push(decode(JobRunEventSchema, data)));
    await collector.follow(nats, Streams.logs.name, (data) => collector.chunks.push(decode(LogChunkSchema, data)));
    return collector;
  }

  private async follow(nats: Nats, stream: string, handle: (data: Uint8Array) => void): Promise<void> {
    const consumer = await nats.js.consumers.get(stream);
    const messages = await consumer.consume();
    const loop = (async () => {
      for await (const message of messages) handle(message.data);
    })();
    this.stops.push(async () => {
      await messages.close();
      await loop;
    });
  }

  eventsOf(jobRunId: string): JobRunEvent[] {
    return this.events.filter((event) => event.jobRunId === jobRunId);
  }

  /** Waits for the attempt's `finished`, then for every log line up to its last_seq. */
  async attempt(jobRunId: string, attempt = 1, timeoutMs = 30_000): Promise<AttemptRecord> {
    const finishedEvent = await waitFor(
      () => this.eventsOf(jobRunId).find((event) => event.attempt === attempt && event.kind.case === 'finished'),
      { what: `finished event of ${jobRunId}`, timeoutMs },
    );
    const finished = finishedEvent.kind.value as JobRunFinished;
    const chunks = await waitFor(
      () => {
        const mine = this.chunks.filter((chunk) => chunk.jobRunId === jobRunId && chunk.lines[0]?.attempt === attempt);
        const count = mine.reduce((sum, chunk) => sum + chunk.lines.length, 0);
        return count >= Number(finished.lastSeq) ? mine : undefined;
      },
      { what: `log lines of ${jobRunId}`, timeoutMs },
    );
    const events = this.eventsOf(jobRunId).filter((event) => event.attempt === attempt);
    const started = events.find((event) => event.kind.case === 'started');
    if (started === undefined) throw new Error(`no started event for ${jobRunId}`);
    return { events, finished, started, chunks, lines: chunks.flatMap((chunk) => chunk.lines) };
  }

  async stop(): Promise<void> {
    for (const stop of this.stops) await stop();
  }
}

export const texts = (lines: LogLine[], stream: LogStream): string[] =>
  lines.filter((line) => line.stream === stream).map((line) => line.text);

export async function readPid(file: string): Promise<number> {
  return waitFor(() => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || undefined : undefined), {
    what: `pid in ${file}`,
  });
}

/** Dead means gone or a zombie (orphans here are reparented to a PID 1 that does not reap them). */
export function isDead(pid: number): boolean {
  return !processAlive(pid);
}
