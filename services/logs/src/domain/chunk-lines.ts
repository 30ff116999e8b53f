import type { LineLevelName, LogStreamName } from './log-row.js';

/**
 * The lines of one checked LogChunk as columns, their texts left as UTF-8 bytes inside the
 * message (`data[textStart[i], textEnd[i])`): what the ingestor hands the store without
 * making an object per line. Index i of every column is line i.
 */
export interface ChunkLines {
  data: Uint8Array;
  labels: { jobRunId: string; pipelineRunId: string; pipelineId: string; jobId: string; jobName: string };
  retentionDays: number;
  seq: number[];
  attempt: number[];
  stream: LogStreamName[];
  level: LineLevelName[];
  tsMs: number[];
  textStart: number[];
  textEnd: number[];
}
