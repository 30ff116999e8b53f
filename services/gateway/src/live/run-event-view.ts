import { FailureClass, RunEventKind, RunStatus, type RunEvent } from '@fluxi/contracts';

/** A RunEvent as live clients get it (GraphQL subscription and SSE alike). */
export interface RunEventView {
  id: string;
  pipelineRunId: string;
  /** 1, 2, 3… per pipeline run, without gaps: resume after the last one seen. */
  seq: number;
  /** ISO-8601 time of the change. */
  at: string;
  kind: string;
  pipelineId: string | null;
  jobId: string | null;
  run: RunStateView | null;
  stage: StageStateView | null;
  jobRun: JobRunStateView | null;
  attempt: AttemptStateView | null;
}

export interface RunStateView {
  status: string;
  number: number;
  name: string;
  trigger: string;
  reason: string | null;
  waitingForGroup: string | null;
  createdAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

export interface StageStateView {
  index: number;
  name: string;
  status: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface JobRunStateView {
  jobRunId: string;
  name: string;
  stageName: string;
  stageIndex: number;
  jobId: string;
  position: number;
  status: string;
  attempt: number;
  exitCode: number | null;
  failureClass: string | null;
  reason: string | null;
  startedAt: string | null;
  endedAt: string | null;
  notBefore: string | null;
}

export interface AttemptStateView {
  jobRunId: string;
  name: string;
  attempt: number;
  status: string;
  exitCode: number | null;
  failureClass: string | null;
  reason: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

const FINAL = new Set([RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.CANCELLED]);

/** Whether the event closes its pipeline run (the run itself reached a final status). */
export function endsRun(event: RunEvent): boolean {
  return event.entity.case === 'run' && FINAL.has(event.entity.value.status);
}

const time = (ms: bigint): string | null => (ms === 0n ? null : new Date(Number(ms)).toISOString());
const text = (value: string): string | null => (value === '' ? null : value);
const status = (value: RunStatus): string => RunStatus[value] ?? 'UNSPECIFIED';
const failure = (value: FailureClass): string | null =>
  value === FailureClass.UNSPECIFIED ? null : (FailureClass[value] ?? null);

export function runEventView(event: RunEvent): RunEventView {
  const { entity } = event;
  return {
    id: event.id,
    pipelineRunId: event.pipelineRunId,
    seq: Number(event.seq),
    at: new Date(Number(event.atMs)).toISOString(),
    kind: RunEventKind[event.kind] ?? 'UNSPECIFIED',
    pipelineId: text(event.pipelineId),
    jobId: text(event.jobId),
    run:
      entity.case === 'run'
        ? {
            status: status(entity.value.status),
            number: entity.value.number,
            name: entity.value.name,
            trigger: entity.value.trigger,
            reason: text(entity.value.reason),
            waitingForGroup: text(entity.value.waitingForGroup),
            createdAt: time(entity.value.createdAtMs),
            startedAt: time(entity.value.startedAtMs),
            endedAt: time(entity.value.endedAtMs),
          }
        : null,
    stage:
      entity.case === 'stage'
        ? {
            index: entity.value.index,
            name: entity.value.name,
            status: status(entity.value.status),
            startedAt: time(entity.value.startedAtMs),
            endedAt: time(entity.value.endedAtMs),
          }
        : null,
    jobRun:
      entity.case === 'jobRun'
        ? {
            jobRunId: entity.value.jobRunId,
            name: entity.value.name,
            stageName: entity.value.stageName,
            stageIndex: entity.value.stageIndex,
            jobId: entity.value.jobId,
            position: entity.value.position,
            status: status(entity.value.status),
            attempt: entity.value.attempt,
            exitCode: entity.value.exitCode ?? null,
            failureClass: failure(entity.value.failureClass),
            reason: text(entity.value.reason),
            startedAt: time(entity.value.startedAtMs),
            endedAt: time(entity.value.endedAtMs),
            notBefore: time(entity.value.notBeforeMs),
          }
        : null,
    attempt:
      entity.case === 'attempt'
        ? {
            jobRunId: entity.value.jobRunId,
            name: entity.value.name,
            attempt: entity.value.attempt,
            status: status(entity.value.status),
            exitCode: entity.value.exitCode ?? null,
            failureClass: failure(entity.value.failureClass),
            reason: text(entity.value.reason),
            startedAt: time(entity.value.startedAtMs),
            endedAt: time(entity.value.endedAtMs),
          }
        : null,
  };
}
