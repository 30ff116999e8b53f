import {
  ContractVersion,
  create,
  ExecuteJobSchema,
  executeQueueName,
  fromJson,
  JobOutcome,
  FailureClass,
  JobRunEventSchema,
  Subjects,
  type ExecuteJob,
  type JobRunEvent,
} from '@fluxi/contracts';
import { encode, type Nats } from '@fluxi/messaging';
import { Worker, type Job, type IRedisClient } from 'bullmq';
import { createRedisClient } from '@fluxi/messaging';

export type Outcome = 'SUCCESS' | 'FAILED';

/** How an attempt ends, with what its finished event carries besides the outcome. */
export interface Finish {
  outcome: Outcome;
  /** Standard output, as bytes (the executor sends what the job printed). */
  output?: Uint8Array;
  reason?: string;
}

/**
 * What the fake executor does with one attempt; default: succeed at once. When it
 * throws, no finished event is published and the BullMQ job fails with its message
 * (as when the real executor gives up publishing).
 */
export type Behaviour = (job: ExecuteJob) => Promise<Outcome | Finish> | Outcome | Finish;

export interface Pickup {
  /** BullMQ job id. */
  bullJobId: string;
  name: string;
  jobRunId: string;
  pipelineRunId: string;
  /** ExecuteJob.pipeline_id and log_retention_days as enqueued. */
  pipelineId: string;
  logRetentionDays: number;
  attempt: number;
  /** Names of the jobs (of the same run) whose `finished` event was published before this pickup. */
  finishedBefore: string[];
}

/**
 * Plays the executor: a real BullMQ Worker on the execute queue that publishes
 * JobRunEvents (binary proto, msgID `${id}.${attempt}.started|finished`) to JetStream.
 */
export class FakeExecutor {
  readonly pickups: Pickup[] = [];
  private readonly finished = new Map<string, string[]>();
  /** Attempts picked up whose finished event is not published yet. */
  inFlight = 0;
  private worker: Worker | undefined;
  private connection: IRedisClient | undefined;
  behaviour: Behaviour = () => 'SUCCESS';

  constructor(
    private readonly nats: Nats,
    private readonly redisUrl: string,
    private readonly prefix = 'fluxi',
  ) {}

  start(): this {
    this.connection = createRedisClient(this.redisUrl);
    this.worker = new Worker(executeQueueName('default'), (job: Job) => this.process(job), {
      connection: this.connection,
      prefix: this.prefix,
      concurrency: 8,
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.connection?.quit();
    this.worker = undefined;
    this.connection = undefined;
  }

  /** Publishes an event the way the executor does (or with another msgID, to get past JetStream dedupe). */
  async publish(event: JobRunEvent, msgID?: string): Promise<void> {
    const kind = event.kind.case ?? 'none';
    await this.nats.js.publish(Subjects.jobRunEvent(event.jobRunId), encode(JobRunEventSchema, event), {
      msgID: msgID ?? `${event.jobRunId}.${event.attempt}.${kind}`,
    });
  }

  private async process(job: Job): Promise<void> {
    const payload = (job.data as { payload: Parameters<typeof fromJson>[1] }).payload;
    const execute = fromJson(ExecuteJobSchema, payload);
    const name = execute.job?.name ?? '?';
    this.pickups.push({
      bullJobId: job.id ?? '',
      name,
      jobRunId: execute.jobRunId,
      pipelineRunId: execute.pipelineRunId,
      pipelineId: execute.pipelineId,
      logRetentionDays: execute.logRetentionDays,
      attempt: execute.attempt,
      finishedBefore: [...(this.finished.get(execute.pipelineRunId) ?? [])],
    });
    this.inFlight += 1;
    try {
      await this.publish(startedEvent(execute));
      const result = await this.behaviour(execute);
      const finish = typeof result === 'string' ? { outcome: result } : result;
      await this.publish(finishedEvent(execute, finish.outcome, finish));
      this.finished.set(execute.pipelineRunId, [...(this.finished.get(execute.pipelineRunId) ?? []), name]);
    } finally {
      this.inFlight -= 1;
    }
  }
}

export function startedEvent(job: Pick<ExecuteJob, 'jobRunId' | 'pipelineRunId' | 'attempt'>): JobRunEvent {
  return create(JobRunEventSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: job.jobRunId,
    pipelineRunId: job.pipelineRunId,
    attempt: job.attempt,
    atMs: BigInt(Date.now()),
    kind: { case: 'started', value: { executorId: 'fake-executor', pid: 1 } },
  });
}

export function finishedEvent(
  job: Pick<ExecuteJob, 'jobRunId' | 'pipelineRunId' | 'attempt'>,
  outcome: Outcome,
  extra: Omit<Finish, 'outcome'> = {},
): JobRunEvent {
  const ok = outcome === 'SUCCESS';
  return create(JobRunEventSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: job.jobRunId,
    pipelineRunId: job.pipelineRunId,
    attempt: job.attempt,
    atMs: BigInt(Date.now()),
    kind: {
      case: 'finished',
      value: {
        outcome: ok ? JobOutcome.SUCCESS : JobOutcome.FAILED,
        exitCode: ok ? 0 : 3,
        failureClass: ok ? FailureClass.UNSPECIFIED : FailureClass.JOB,
        reason: extra.reason ?? (ok ? '' : 'exited with 3'),
        lastSeq: 0n,
        ...(extra.output === undefined ? {} : { output: extra.output, outputBytes: BigInt(extra.output.byteLength) }),
      },
    },
  });
}
