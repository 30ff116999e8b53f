import {
  ArtifactFileSchema,
  ContractVersion,
  JobRunEventSchema,
  JobRunFinishedSchema,
  JobRunStartedSchema,
  create,
  type JobRunEvent,
} from '@fluxi/contracts';
import type { ArtifactFile } from '@fluxi/artifacts';
import type { BufferedLine } from './log-buffer.js';
import type { WireChunk } from './log-chunk-wire.js';
import type { Outcome } from './outcome.js';

/** Which attempt of which job run a message is about. */
export interface AttemptRef {
  jobRunId: string;
  pipelineRunId: string;
  attempt: number;
}

/** What every log chunk of an attempt carries for search and retention (from the ExecuteJob). */
export interface ChunkLabels {
  pipelineId: string;
  jobId: string;
  jobName: string;
  /** 0: the log store's default. */
  logRetentionDays: number;
}

export function startedEvent(ref: AttemptRef, executorId: string, pid: number, atMs: number): JobRunEvent {
  return create(JobRunEventSchema, {
    ...header(ref),
    atMs: BigInt(atMs),
    kind: { case: 'started', value: create(JobRunStartedSchema, { executorId, pid }) },
  });
}

/** What a `finished` event carries besides the outcome. */
export interface FinishDetails {
  /** The start of the standard output (the job's context). */
  output: Uint8Array;
  /** Size of the whole standard output. */
  outputBytes: number;
  artifacts: readonly ArtifactFile[];
}

export function finishedEvent(
  ref: AttemptRef,
  outcome: Outcome,
  lastSeq: bigint,
  atMs: number,
  details: FinishDetails,
): JobRunEvent {
  const finished = create(JobRunFinishedSchema, {
    ...outcome,
    lastSeq,
    output: details.output,
    outputBytes: BigInt(details.outputBytes),
    artifacts: details.artifacts.map((file) =>
      create(ArtifactFileSchema, { path: file.path, sizeBytes: BigInt(file.sizeBytes) }),
    ),
  });
  return create(JobRunEventSchema, { ...header(ref), atMs: BigInt(atMs), kind: { case: 'finished', value: finished } });
}

/** A chunk of an attempt's lines, for `encodeLogChunk` (the lines as buffered: no message per line). */
export function logChunk(ref: AttemptRef, lines: readonly BufferedLine[], labels?: ChunkLabels): WireChunk {
  return {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: ref.jobRunId,
    pipelineRunId: ref.pipelineRunId,
    pipelineId: labels?.pipelineId ?? '',
    jobId: labels?.jobId ?? '',
    jobName: labels?.jobName ?? '',
    logRetentionDays: labels?.logRetentionDays ?? 0,
    attempt: ref.attempt,
    lines,
  };
}

/** JetStream msgIDs: the stream drops a message published twice (dedupe window). */
export const MsgIds = {
  started: (ref: AttemptRef): string => `${ref.jobRunId}.${ref.attempt}.started`,
  finished: (ref: AttemptRef): string => `${ref.jobRunId}.${ref.attempt}.finished`,
  chunk: (ref: AttemptRef, firstSeq: bigint): string => `${ref.jobRunId}.${ref.attempt}.${firstSeq}`,
};

function header(ref: AttemptRef) {
  return {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: ref.jobRunId,
    pipelineRunId: ref.pipelineRunId,
    attempt: ref.attempt,
  };
}
