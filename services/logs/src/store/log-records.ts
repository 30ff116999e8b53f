import type { LineLevelName, LogStreamName } from '../domain/log-row.js';
import type { AttemptStatus } from '../domain/log-search.js';

/** What the log store gives back: lines, search hits, occurrences, outcomes, retention counts. */

/** A stored line as read back. */
export interface StoredLine {
  attempt: number;
  seq: number;
  stream: LogStreamName;
  level: LineLevelName;
  text: string;
  tsMs: number;
}

/** A line found by a search, with where it is. */
export interface FoundLine extends StoredLine {
  pipelineRunId: string;
  pipelineId: string;
  jobRunId: string;
  jobId: string;
  jobName: string;
}

/** A found line with the lines around it in its attempt. */
export interface SearchHit extends FoundLine {
  before: StoredLine[];
  after: StoredLine[];
}

/** Matching lines of one UTC day. */
export interface OccurrenceDay {
  /** YYYY-MM-DD */
  day: string;
  count: number;
  jobRuns: number;
}

export interface Occurrences {
  totalCount: number;
  first: FoundLine | undefined;
  last: FoundLine | undefined;
  days: OccurrenceDay[];
}

/** The outcome of one attempt, from its `finished` event. */
export interface AttemptOutcome {
  jobRunId: string;
  attempt: number;
  status: AttemptStatus;
  finishedAtMs: number;
}

/** What one retention pass removed: counts only. */
export interface RetentionReport {
  deletedLines: number;
  droppedPartitions: number;
  rewrittenPartitions: number;
}

/** 64-bit integers come back as strings from a server and as numbers from chDB. */
export interface LineRecord {
  attempt: number | string;
  seq: number | string;
  stream: string;
  level: string;
  text: string;
  ts_ms: number | string;
}

/** A hit as its page reads it: its labels come from `job_run_labels`. */
export interface FoundRecord extends LineRecord {
  job_run_id: string;
}

export interface LabelsRecord {
  job_run_id: string;
  pipeline_run_id: string;
  pipeline_id: string;
  job_id: string;
  job_name: string;
}

export const toLine = (record: LineRecord): StoredLine => ({
  attempt: Number(record.attempt),
  seq: Number(record.seq),
  stream: record.stream as LogStreamName,
  level: record.level as LineLevelName,
  text: record.text,
  tsMs: Number(record.ts_ms),
});

/** A hit with its job run's labels (empty when none are stored, as lines of unknown runs had). */
export const toFound = (record: FoundRecord, labels: LabelsRecord | undefined): FoundLine => ({
  ...toLine(record),
  pipelineRunId: labels?.pipeline_run_id ?? '',
  pipelineId: labels?.pipeline_id ?? '',
  jobRunId: record.job_run_id,
  jobId: labels?.job_id ?? '',
  jobName: labels?.job_name ?? '',
});
