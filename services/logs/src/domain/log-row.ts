import { LogStream, type LogChunk } from '@fluxi/contracts';

/** Which output a line came from, as stored and as shown to clients. */
export type LogStreamName = 'STDOUT' | 'STDERR' | 'SYSTEM';

/** One stored log line. (jobRunId, attempt, seq) identifies it. */
export interface LogRow {
  jobRunId: string;
  pipelineRunId: string;
  attempt: number;
  seq: number;
  stream: LogStreamName;
  text: string;
  /** Milliseconds since the Unix epoch. */
  tsMs: number;
}

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

/**
 * The rows of a decoded LogChunk, checked on arrival: a chunk with a line that
 * breaks the contract is refused whole (MalformedChunkError) rather than stored
 * half, so the caller can drop it and say why.
 */
export function rowsFromChunk(chunk: LogChunk): LogRow[] {
  if (chunk.jobRunId === '') throw new MalformedChunkError('job_run_id is empty');
  if (chunk.pipelineRunId === '') throw new MalformedChunkError('pipeline_run_id is empty');
  return chunk.lines.map((line, index) => {
    const where = `lines[${index}]`;
    const stream = STREAM_NAMES[line.stream];
    if (stream === undefined)
      throw new MalformedChunkError(`${where}.stream ${line.stream} is not STDOUT, STDERR or SYSTEM`);
    if (line.seq < 1n || line.seq > BigInt(MAX_INT32))
      throw new MalformedChunkError(`${where}.seq ${line.seq} is out of range`);
    if (line.attempt < 1 || line.attempt > MAX_INT32)
      throw new MalformedChunkError(`${where}.attempt ${line.attempt} is out of range`);
    const tsMs = Number(line.tsMs);
    // DateTime64(3) covers 1900..2299; anything outside is a broken clock or an unset field.
    if (tsMs < 0 || tsMs >= Date.UTC(2299, 11, 31))
      throw new MalformedChunkError(`${where}.ts_ms ${line.tsMs} is out of range`);
    return {
      jobRunId: chunk.jobRunId,
      pipelineRunId: chunk.pipelineRunId,
      attempt: line.attempt,
      seq: Number(line.seq),
      stream,
      text: line.text,
      tsMs,
    };
  });
}
