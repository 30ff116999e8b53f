import { IdPrefix, newId } from '@fluxi/common';
import {
  ContractVersion,
  create,
  FailureClass,
  RunEventAttemptSchema,
  RunEventJobRunSchema,
  RunEventKind,
  RunEventRunSchema,
  RunEventSchema,
  RunEventStageSchema,
  RunStatus as RunStatusMessage,
  toBinary,
  type RunEvent,
} from '@fluxi/contracts';
import type { JobRunFacts, RunEventDraft, RunEventKindName, RunFacts } from '../domain/run-events.js';
import type { FailureClassName, RunStatus } from '../domain/status.js';
import type { NewRunEvent } from '../store/outbox.js';
import type { JobRunRecord, PipelineRunRecord } from '../store/records.js';
import type { RunTx } from '../store/run-tx.js';

const STATUS: Record<RunStatus, RunStatusMessage> = {
  PENDING: RunStatusMessage.PENDING,
  QUEUED: RunStatusMessage.QUEUED,
  RUNNING: RunStatusMessage.RUNNING,
  SUCCESS: RunStatusMessage.SUCCESS,
  FAILED: RunStatusMessage.FAILED,
  CANCELLED: RunStatusMessage.CANCELLED,
  SKIPPED: RunStatusMessage.SKIPPED,
  MANUAL: RunStatusMessage.MANUAL,
};

const KIND: Record<RunEventKindName, RunEventKind> = {
  CREATED: RunEventKind.CREATED,
  QUEUED: RunEventKind.QUEUED,
  STARTED: RunEventKind.STARTED,
  SUCCEEDED: RunEventKind.SUCCEEDED,
  FAILED: RunEventKind.FAILED,
  CANCELLED: RunEventKind.CANCELLED,
  SKIPPED: RunEventKind.SKIPPED,
  RETRY_SCHEDULED: RunEventKind.RETRY_SCHEDULED,
  ATTEMPT_ENDED: RunEventKind.ATTEMPT_ENDED,
  ADMITTED: RunEventKind.ADMITTED,
  UPDATED: RunEventKind.UPDATED,
};

const FAILURE: Record<FailureClassName, FailureClass> = {
  JOB: FailureClass.JOB,
  TIMEOUT: FailureClass.TIMEOUT,
  INFRASTRUCTURE: FailureClass.INFRASTRUCTURE,
  CANCELLED: FailureClass.CANCELLED,
};

/** The run a set of events belongs to. */
export type EventRun = Pick<PipelineRunRecord, 'id' | 'pipelineId' | 'jobId'>;

/**
 * Stores the events of a change in the change's transaction (outbox), numbered after
 * `lastSeq` (the locked run's `eventSeq`; 0 for a new run); the relay publishes them after commit.
 */
export async function recordEvents(
  tx: RunTx,
  run: EventRun,
  drafts: readonly RunEventDraft[],
  at: Date,
  lastSeq: number,
): Promise<void> {
  if (drafts.length === 0) return;
  await tx.outbox.append(
    run.id,
    drafts.map((draft) => toNewEvent(run, draft, at)),
    at,
    lastSeq,
  );
}

export function runFacts(
  run: Pick<
    PipelineRunRecord,
    | 'status'
    | 'number'
    | 'reason'
    | 'trigger'
    | 'createdAt'
    | 'startedAt'
    | 'endedAt'
    | 'concurrencyState'
    | 'concurrencyGroup'
  >,
): RunFacts {
  return {
    status: run.status,
    number: run.number,
    reason: run.reason,
    trigger: run.trigger,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    waitingForGroup: run.concurrencyState === 'waiting' ? run.concurrencyGroup : null,
  };
}

export function jobRunFacts(jobRun: JobRunRecord): JobRunFacts {
  return {
    id: jobRun.id,
    name: jobRun.name,
    stageName: jobRun.stageName,
    stageIndex: jobRun.stageIndex,
    jobId: jobRun.jobId,
    position: jobRun.position,
    status: jobRun.status,
    attempt: jobRun.attempt,
    exitCode: jobRun.exitCode,
    failureClass: jobRun.failureClass,
    reason: jobRun.reason,
    startedAt: jobRun.startedAt,
    endedAt: jobRun.endedAt,
    notBefore: jobRun.notBefore,
  };
}

function toNewEvent(run: EventRun, draft: RunEventDraft, at: Date): NewRunEvent {
  const id = newId(IdPrefix.runEvent);
  const event: RunEvent = create(RunEventSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    id,
    pipelineRunId: run.id,
    atMs: BigInt(at.getTime()),
    kind: KIND[draft.kind],
    pipelineId: run.pipelineId ?? '',
    jobId: run.jobId ?? '',
    entity: entityOf(draft),
  });
  return {
    id,
    encode: (seq) => {
      event.seq = BigInt(seq);
      return toBinary(RunEventSchema, event);
    },
  };
}

const ms = (date: Date | null): bigint => (date === null ? 0n : BigInt(date.getTime()));
const failure = (value: FailureClassName | null): FailureClass =>
  value === null ? FailureClass.UNSPECIFIED : FAILURE[value];

function entityOf(draft: RunEventDraft): RunEvent['entity'] {
  switch (draft.entity) {
    case 'run': {
      const run = draft.run;
      return {
        case: 'run',
        value: create(RunEventRunSchema, {
          status: STATUS[run.status],
          number: run.number,
          reason: run.reason ?? '',
          createdAtMs: ms(run.createdAt),
          startedAtMs: ms(run.startedAt),
          endedAtMs: ms(run.endedAt),
          trigger: run.trigger,
          waitingForGroup: run.waitingForGroup ?? '',
          name: run.name ?? '',
        }),
      };
    }
    case 'stage': {
      const stage = draft.stage;
      return {
        case: 'stage',
        value: create(RunEventStageSchema, {
          index: stage.index,
          name: stage.name,
          status: STATUS[stage.status],
          startedAtMs: ms(stage.startedAt),
          endedAtMs: ms(stage.endedAt),
        }),
      };
    }
    case 'jobRun': {
      const jobRun = draft.jobRun;
      return {
        case: 'jobRun',
        value: create(RunEventJobRunSchema, {
          jobRunId: jobRun.id,
          name: jobRun.name,
          stageName: jobRun.stageName,
          stageIndex: jobRun.stageIndex,
          jobId: jobRun.jobId,
          position: jobRun.position,
          status: STATUS[jobRun.status],
          attempt: jobRun.attempt,
          ...(jobRun.exitCode === null ? {} : { exitCode: jobRun.exitCode }),
          failureClass: failure(jobRun.failureClass),
          reason: jobRun.reason ?? '',
          startedAtMs: ms(jobRun.startedAt),
          endedAtMs: ms(jobRun.endedAt),
          notBeforeMs: ms(jobRun.notBefore),
        }),
      };
    }
    case 'attempt': {
      const attempt = draft.attempt;
      return {
        case: 'attempt',
        value: create(RunEventAttemptSchema, {
          jobRunId: attempt.jobRunId,
          name: attempt.name,
          attempt: attempt.attempt,
          status: STATUS[attempt.status],
          ...(attempt.exitCode === null ? {} : { exitCode: attempt.exitCode }),
          failureClass: failure(attempt.failureClass),
          reason: attempt.reason ?? '',
          startedAtMs: ms(attempt.startedAt),
          endedAtMs: ms(attempt.endedAt),
        }),
      };
    }
  }
}
