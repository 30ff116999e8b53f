import { badInput } from '@fluxi/common';

export const DEFAULT_LOG_LIMIT = 10_000;
export const MAX_LOG_LIMIT = 100_000;

/** What a client asks for: lines of one job run, in (attempt, seq) order. */
export interface LogQuery {
  jobRunId: string;
  /** Only this attempt; every attempt when unset. */
  attempt: number | undefined;
  /** Only lines with a greater seq (needs `attempt`: seq restarts at 1 on each attempt). */
  afterSeq: number | undefined;
  limit: number;
}

/** GraphQL arguments: absent and null both mean "not set". */
export interface LogQueryArgs {
  jobRunId: string;
  attempt?: number | null;
  afterSeq?: number | null;
  limit?: number | null;
}

/** Checks the arguments of `jobRunLogs`; throws BAD_USER_INPUT naming the argument at fault. */
export function parseLogQuery(args: LogQueryArgs): LogQuery {
  const jobRunId = args.jobRunId.trim();
  if (jobRunId === '') throw badInput('jobRunId must not be empty', 'jobRunId');
  const attempt = args.attempt ?? undefined;
  if (attempt !== undefined && attempt < 1) throw badInput('attempt starts at 1', 'attempt');
  const afterSeq = args.afterSeq ?? undefined;
  if (afterSeq !== undefined) {
    if (afterSeq < 0) throw badInput('afterSeq must be 0 or more', 'afterSeq');
    if (attempt === undefined) {
      throw badInput('afterSeq needs attempt: seq restarts at 1 on each attempt', 'afterSeq');
    }
  }
  const limit = args.limit ?? DEFAULT_LOG_LIMIT;
  if (limit < 1 || limit > MAX_LOG_LIMIT) throw badInput(`limit must be between 1 and ${MAX_LOG_LIMIT}`, 'limit');
  return { jobRunId, attempt, afterSeq, limit };
}
