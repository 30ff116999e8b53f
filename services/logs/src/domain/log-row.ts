import { LogLevel, LogStream, type LogChunk } from '@fluxi/contracts';

/** Which output a line came from, as stored and as shown to clients. */
export type LogStreamName = 'STDOUT' | 'STDERR' | 'SYSTEM';
export const STREAM_NAMES_LIST: readonly LogStreamName[] = ['STDOUT', 'STDERR', 'SYSTEM'];

/** The level a line reads as (detected by the executor), as stored and shown; NONE: none detected. */
export type LineLevelName = 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'NONE';
export const LEVEL_NAMES_LIST: readonly LineLevelName[] = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'NONE'];

const LEVEL_NAMES: Record<LogLevel, LineLevelName> = {
  [LogLevel.UNSPECIFIED]: 'NONE',
  [LogLevel.ERROR]: 'ERROR',
  [LogLevel.WARN]: 'WARN',
  [LogLevel.INFO]: 'INFO',
  [LogLevel.DEBUG]: 'DEBUG',
};

/** One stored log line. (jobRunId, attempt, seq) identifies it. */
export interface LogRow {
  jobRunId: string;
  pipelineRunId: string;
  /** Empty when the executor did not know it (older executors, jobs run on their own). */
  pipelineId: string;
  jobId: string;
  jobName: string;
  attempt: number;
  seq: number;
  stream: LogStreamName;
  level: LineLevelName;
  text: string;
  /** Milliseconds since the Unix epoch. */
  tsMs: number;
  /** Days the line is kept from its ts (the store's TTL). */
  retentionDays: number;
}

/** Longest retention a row may ask for (the store keeps it in a UInt16). */
export const MAX_RETENTION_DAYS = 36_500;

/** A chunk that can never be stored, however often it is delivered. */
export class MalformedChunkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedChunkError';
  }
}

const STREAM_NAMES: Partial<Record<LogStream, LogStreamName>> = {
  [LogStream.STDOUT]: 'STDOUT',
  [LogStream.STDERR]: 'STDERR',
  [LogStream.SYSTEM]: 'SYSTEM',
};

/** Largest seq / attempt a client can read back (GraphQL `Int` is 32-bit). */
const MAX_INT32 = 2 ** 31 - 1;
/** DateTime64(3) covers 1900..2299; anything outside is a broken clock or an unset field. */
const MAX_TS_MS = Date.UTC(2299, 11, 31);

/**
 * The rows of a decoded LogChunk, checked on arrival: a chunk with a line that
 * breaks the contract is refused whole (MalformedChunkError) rather than stored
 * half, so the caller can drop it and say why. A chunk without a retention (0)
 * gets `defaultRetentionDays` (`logs.retentionDays`); an unknown level is NONE.
 */
export function rowsFromChunk(chunk: LogChunk, defaultRetentionDays: number): LogRow[] {
  checkChunkIds(chunk.jobRunId, chunk.pipelineRunId);
  const retentionDays = chunkRetentionDays(chunk.logRetentionDays, defaultRetentionDays);
  return chunk.lines.map((line, index) => {
    const where = `lines[${index}]`;
    const stream = lineStream(where, line.stream);
    checkLineNumbers(where, line.seq, line.attempt, Number(line.tsMs), line.tsMs);
    return {
      jobRunId: chunk.jobRunId,
      pipelineRunId: chunk.pipelineRunId,
      pipelineId: chunk.pipelineId,
      jobId: chunk.jobId,
      jobName: chunk.jobName,
      attempt: line.attempt,
      seq: Number(line.seq),
      stream,
      level: lineLevel(line.level),
      text: line.text,
      tsMs: Number(line.tsMs),
      retentionDays,
    };
  });
}

/** Refuses a chunk that does not say whose lines these are. */
export function checkChunkIds(jobRunId: string, pipelineRunId: string): void {
  if (jobRunId === '') throw new MalformedChunkError('job_run_id is empty');
  if (pipelineRunId === '') throw new MalformedChunkError('pipeline_run_id is empty');
}

/** The days a chunk's lines are kept: its own retention, else the default; at most MAX_RETENTION_DAYS. */
export function chunkRetentionDays(own: number, defaultRetentionDays: number): number {
  return Math.min(own > 0 ? own : defaultRetentionDays, MAX_RETENTION_DAYS);
}

/** A line's stream as stored; anything else breaks the contract. */
export function lineStream(where: LineWhere, stream: number): LogStreamName {
  const name = STREAM_NAMES[stream as LogStream];
  if (name === undefined) {
    throw new MalformedChunkError(`${lineName(where)}.stream ${stream} is not STDOUT, STDERR or SYSTEM`);
  }
  return name;
}

/** Which line a message names: its path, or its index in the chunk (named only when a check fails). */
export type LineWhere = string | number;

function lineName(where: LineWhere): string {
  return typeof where === 'number' ? `lines[${where}]` : where;
}

/** A line's level as stored: an unknown one is NONE. */
export function lineLevel(level: number): LineLevelName {
  return LEVEL_NAMES[level as LogLevel] ?? 'NONE';
}

/** Refuses a line whose seq, attempt or time is out of range (`shown`: the time as sent, for the message). */
export function checkLineNumbers(
  where: LineWhere,
  seq: bigint | number,
  attempt: number,
  tsMs: number,
  shown: bigint | number = tsMs,
): void {
  if (seq < 1 || seq > MAX_INT32) throw new MalformedChunkError(`${lineName(where)}.seq ${seq} is out of range`);
  if (attempt < 1 || attempt > MAX_INT32) {
    throw new MalformedChunkError(`${lineName(where)}.attempt ${attempt} is out of range`);
  }
  if (tsMs < 0 || tsMs >= MAX_TS_MS) throw new MalformedChunkError(`${lineName(where)}.ts_ms ${shown} is out of range`);
}
